/* Call console: caller history on phone entry, Enter moves on, Ctrl+Enter saves. */
(function () {
  "use strict";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-console]");
    if (!form) return;
    var phone = form.querySelector("input[name=phone]");
    var panel = document.querySelector("[data-history-panel]");
    var status = panel.querySelector("[data-history-status]");
    var list = panel.querySelector("[data-history-list]");
    var seq = 0, lastQuery = null;

    function showHistory(body) {
      list.innerHTML = "";
      if (!body.phone_valid) { status.textContent = "Số điện thoại chưa đủ hoặc chưa hợp lệ."; return; }
      if (!body.complaints.length) { status.textContent = "Người gọi chưa có phản ánh nào trước đây."; return; }
      status.textContent = "Có " + body.total + " phản ánh" + (body.total > body.complaints.length ? " (hiển thị " + body.complaints.length + " gần nhất)" : "") + ":";
      body.complaints.forEach(function (c) {
        var li = el("li", "history-item");
        li.dataset.code = c.tracking_code;
        var head = el("div", "history-head");
        var link = el("a", "code", c.tracking_code);
        link.href = c.url;
        link.target = "_blank";
        link.rel = "noopener";
        head.appendChild(link);
        head.appendChild(el("span", "badge state-" + c.state, c.state_label));
        if (c.overdue) head.appendChild(el("span", "badge overdue", "Quá hạn"));
        li.appendChild(head);
        li.appendChild(el("div", "muted small", c.received_at));
        li.appendChild(el("div", "excerpt", c.excerpt));
        list.appendChild(li);
      });
    }

    function lookup() {
      var value = phone.value.replace(/[^0-9+]/g, "");
      if (value === lastQuery) return;
      lastQuery = value;
      if (value.length < 9) { list.innerHTML = ""; status.textContent = "Nhập số điện thoại để xem."; return; }
      var mine = ++seq;
      status.textContent = "Đang tìm…";
      fetch(form.dataset.history + "?phone=" + encodeURIComponent(value), {
        headers: {"Accept": "application/json"}, credentials: "same-origin"
      }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      }).then(function (body) { if (mine === seq) showHistory(body); })
        .catch(function () { if (mine === seq) status.textContent = "Không tải được lịch sử cuộc gọi."; });
    }

    phone.addEventListener("input", window.Hotline.debounce(lookup, 300));
    phone.addEventListener("change", lookup);
    if (phone.value) lookup();

    function focusables() {
      return Array.prototype.filter.call(
        form.querySelectorAll("input, select, textarea, button"),
        function (n) { return !n.disabled && !n.hidden && n.type !== "hidden" && n.tabIndex >= 0 && n.offsetParent !== null; }
      );
    }

    form.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") return;
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        if (form.dataset.sending !== "1") form.requestSubmit();
        return;
      }
      var t = e.target;
      if (t.tagName === "TEXTAREA" || t.tagName === "BUTTON" || e.defaultPrevented) return;
      if (t.tagName === "INPUT" || t.tagName === "SELECT") {
        // Enter in a one-line field moves on instead of saving a half-filled call.
        e.preventDefault();
        if (t === phone) lookup();
        var all = focusables();
        var next = all[all.indexOf(t) + 1];
        if (next) next.focus();
      }
    });
  });
})();
