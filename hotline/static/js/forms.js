/* Progressive enhancements for forms: ward autocomplete, character counter, single submit,
 * anonymous toggle. Every form still works without JavaScript (the ward picker is a <select>). */
(function () {
  "use strict";

  function fold(text) {
    return (text || "").toLowerCase().replace(/đ/g, "d").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").trim();
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  /* Ward picker: a combobox over GET /api/v1/wards?q= that drives the hidden <select>. */
  var pickerCount = 0;
  function enhanceWardPicker(box) {
    var select = box.querySelector("select");
    var label = box.querySelector("label");
    if (!select) return;
    pickerCount += 1;
    var listId = "ward-list-" + pickerCount;
    var input = document.createElement("input");
    input.type = "text";
    input.id = select.id + "-search";
    input.className = "ward-input";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.placeholder = "Gõ tên xã/phường, ví dụ: Trảng Dài";
    if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", "true");
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "ward-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var wrap = document.createElement("div");
    wrap.className = "ward-combo";
    wrap.appendChild(input);
    wrap.appendChild(list);
    select.parentNode.insertBefore(wrap, select);
    select.hidden = true;
    select.tabIndex = -1;
    if (label) label.htmlFor = input.id;
    if (select.autofocus) input.autofocus = true;
    var chosen = select.options[select.selectedIndex];
    input.value = chosen && chosen.value ? chosen.text : "";

    var items = [], active = -1, seq = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function setActive(i) {
      var nodes = list.children;
      if (!nodes.length) return;
      active = (i + nodes.length) % nodes.length;
      for (var k = 0; k < nodes.length; k++) nodes[k].setAttribute("aria-selected", k === active ? "true" : "false");
      input.setAttribute("aria-activedescendant", nodes[active].id);
      nodes[active].scrollIntoView({block: "nearest"});
    }
    function pick(i) {
      var ward = items[i];
      if (!ward) return;
      select.value = String(ward.code);
      input.value = ward.name;
      input.classList.remove("unmatched");
      close();
    }
    function render(wards) {
      items = wards;
      list.innerHTML = "";
      wards.forEach(function (w, i) {
        var li = document.createElement("li");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.textContent = w.name;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      if (!wards.length) {
        var empty = document.createElement("li");
        empty.className = "empty";
        empty.textContent = "Không có xã/phường phù hợp";
        list.appendChild(empty);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      if (wards.length) setActive(0);
    }
    var search = debounce(function () {
      var q = input.value.trim();
      var mine = ++seq;
      if (!q) { close(); return; }
      fetch(box.dataset.endpoint + "?q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {wards: []}; })
        .then(function (body) { if (mine === seq && document.activeElement === input) render(body.wards || []); })
        .catch(function () { /* offline: the typed text is matched on blur */ });
    }, 150);

    input.addEventListener("input", function () { search(); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); if (list.hidden) search(); else setActive(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); setActive(active - 1); }
      else if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) {
        if (!list.hidden && active >= 0) { e.preventDefault(); e.stopPropagation(); pick(active); }
      }
      else if (e.key === "Escape") { if (!list.hidden) { e.preventDefault(); close(); } }
    });
    input.addEventListener("blur", function () {
      close();
      var typed = fold(input.value);
      if (!typed) { select.value = ""; input.classList.remove("unmatched"); return; }
      for (var k = 0; k < select.options.length; k++) {
        var opt = select.options[k];
        if (opt.value && fold(opt.text) === typed) {
          select.value = opt.value; input.value = opt.text; input.classList.remove("unmatched"); return;
        }
      }
      select.value = "";
      input.classList.add("unmatched");
    });
    box.wardReset = function () { select.value = ""; input.value = ""; input.classList.remove("unmatched"); };
  }

  function enhanceCounter(area) {
    var max = parseInt(area.dataset.counter, 10);
    var out = document.createElement("p");
    out.className = "hint counter";
    out.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", out);
    function update() {
      var n = area.value.trim().length;
      out.textContent = n.toLocaleString("vi-VN") + " / " + max.toLocaleString("vi-VN") + " ký tự" +
        (n > 0 && n < 10 ? " — cần ít nhất 10 ký tự" : "");
    }
    area.addEventListener("input", update);
    update();
  }

  function enhanceOnceSubmit(form) {
    form.addEventListener("submit", function (e) {
      if (form.dataset.sending === "1") { e.preventDefault(); return; }
      form.dataset.sending = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.disabled = true;
        b.dataset.label = b.textContent;
        b.textContent = "Đang gửi…";
      });
    });
    // Coming back with the Back button restores the page from cache: allow sending again.
    window.addEventListener("pageshow", function () {
      form.dataset.sending = "";
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.disabled = false;
        if (b.dataset.label) b.textContent = b.dataset.label;
      });
    });
  }

  function enhanceAnonymous(form) {
    var box = form.querySelector("input[name=anonymous]");
    var contact = form.querySelector(".contact-fields");
    if (!box || !contact) return;
    function update() { contact.classList.toggle("is-anonymous", box.checked); }
    box.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-ward-picker]").forEach(enhanceWardPicker);
    document.querySelectorAll("textarea[data-counter]").forEach(enhanceCounter);
    document.querySelectorAll("form[data-once-submit]").forEach(function (f) {
      enhanceOnceSubmit(f);
      enhanceAnonymous(f);
    });
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  });

  window.Hotline = {debounce: debounce, fold: fold};
})();
