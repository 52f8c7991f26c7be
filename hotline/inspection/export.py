"""Excel exports (openpyxl) of the indicators and of an inspection plan."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from hotline.inspection.indicators import (
    IndicatorRow,
    Period,
    indicators_agency_field,
    indicators_by_agency,
    indicators_by_field,
    totals,
)
from hotline.inspection.models import InspectionPlan
from hotline.labels import FIELD_LABELS

INDICATOR_COLUMNS = [
    ("received", "Số phản ánh tiếp nhận"),
    ("due", "Số đến hạn"),
    ("on_time", "Trả lời đúng hạn"),
    ("on_time_pct", "Tỷ lệ đúng hạn (%)"),
    ("overdue", "Số trễ hạn"),
    ("mean_days_late", "Số ngày trễ bình quân"),
    ("returned", "Số trả lại"),
    ("returned_pct", "Tỷ lệ trả lại (%)"),
    ("reopened", "Số bị mở lại"),
    ("reopened_pct", "Tỷ lệ mở lại (%)"),
    ("mean_rating", "Mức hài lòng (1–5)"),
    ("rating_count", "Số đánh giá"),
    ("clusters", "Vụ việc phản ánh lặp lại"),
    ("cluster_items", "Phản ánh trùng đã gộp"),
    ("admin_procedure", "Phản ánh về TTHC, công vụ"),
    ("escalated", "Vượt cấp trung ương"),
    ("leads", "Tố cáo nặc danh có chứng cứ"),
]
HEAD_FONT = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="1F4E79")


def _header(ws, row: int, titles: list[str]) -> None:
    for col, title in enumerate(titles, start=1):
        cell = ws.cell(row=row, column=col, value=title)
        cell.font, cell.fill = HEAD_FONT, HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = f"C{row + 1}"  # a coordinate: ws.cell() would create the row


def _widths(ws, widths: list[int]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _values(row: IndicatorRow) -> list:
    data = row.as_dict()
    return [data[name] for name, _ in INDICATOR_COLUMNS]


def indicators_workbook(period: Period, *, as_of: datetime | None = None) -> bytes:
    """Sheets: by agency (with a total line), by field, overdue agency × field."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Theo cơ quan"
    ws.append([f"Chỉ số phản ánh, kiến nghị {period.label} ({period.code})"])
    ws["A1"].font = Font(bold=True, size=13)
    agencies = indicators_by_agency(period, as_of=as_of)
    _header(ws, 3, ["Mã cơ quan", "Cơ quan"] + [t for _, t in INDICATOR_COLUMNS])
    for r in agencies:
        ws.append([r.labels["agency_code"], r.labels["agency_name"], *_values(r)])
    ws.append(["TỔNG", "Tất cả cơ quan", *_values(totals(agencies))])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    _widths(ws, [14, 40] + [14] * len(INDICATOR_COLUMNS))

    ws = wb.create_sheet("Theo lĩnh vực")
    ws.append([f"Chỉ số theo lĩnh vực {period.label}"])
    _header(ws, 3, ["Mã lĩnh vực", "Lĩnh vực"] + [t for _, t in INDICATOR_COLUMNS])
    for r in indicators_by_field(period, as_of=as_of):
        ws.append([r.key[0], r.labels["field_label"], *_values(r)])
    _widths(ws, [16, 34] + [14] * len(INDICATOR_COLUMNS))

    ws = wb.create_sheet("Trễ hạn cơ quan × lĩnh vực")
    matrix = indicators_agency_field(period, as_of=as_of)
    fields = [f for f in FIELD_LABELS if any(k[1] == f for k in matrix)]
    _header(ws, 1, ["Mã cơ quan", "Cơ quan"] + [FIELD_LABELS[f] for f in fields] + ["Tổng"])
    for r in agencies:
        counts = [matrix[(r.key[0], f)].overdue if (r.key[0], f) in matrix else 0 for f in fields]
        if sum(counts):
            ws.append([r.labels["agency_code"], r.labels["agency_name"], *counts, sum(counts)])
    _widths(ws, [14, 40] + [14] * (len(fields) + 1))
    return _save(wb)


def plan_workbook(plan: InspectionPlan) -> bytes:
    from hotline.inspection.plans import ITEM_STATE_LABELS, RECOMMENDATION_LABELS

    wb = Workbook()
    ws = wb.active
    ws.title = "Kế hoạch"
    ws.append([plan.title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(
        [
            f"Số: {plan.number or '…/KH-SNV'} · Kỳ phân tích: {plan.period} · "
            f"Trọng số phiên bản {plan.weights_version or '—'}"
        ]
    )
    _header(
        ws,
        4,
        [
            "STT",
            "Cơ quan được kiểm tra",
            "Điểm rủi ro",
            "Lĩnh vực trọng tâm",
            "Lý do đề xuất",
            "Phản ánh minh chứng",
            "Bắt đầu",
            "Kết thúc",
            "Trạng thái",
            "Ghi chú",
        ],
    )
    for i, item in enumerate(plan.items, start=1):
        ws.append(
            [
                i,
                item.agency.name,
                item.score,
                ", ".join(FIELD_LABELS.get(f, f) for f in item.focus_fields or []),
                "\n".join(item.reasons or []),
                ", ".join(item.evidence_codes or []),
                item.planned_start,
                item.planned_end,
                ITEM_STATE_LABELS.get(item.state, item.state),
                item.note,
            ]
        )
        for cell in ws[ws.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=ws.max_row, column=7).number_format = "DD/MM/YYYY"
        ws.cell(row=ws.max_row, column=8).number_format = "DD/MM/YYYY"
    _widths(ws, [6, 36, 11, 26, 70, 40, 12, 12, 18, 30])

    ws = wb.create_sheet("Kết quả kiểm tra")
    _header(
        ws,
        1,
        [
            "Cơ quan",
            "Ngày kết luận",
            "Vi phạm, thiếu sót",
            "Đơn vị chịu trách nhiệm",
            "Mức độ",
            "Kiến nghị",
            "Đã khắc phục",
            "Phản ánh liên quan",
        ],
    )
    for item in plan.items:
        for f in item.findings:
            ws.append(
                [
                    item.agency.name,
                    f.concluded_on,
                    f.violations,
                    f.responsible_unit,
                    f.severity,
                    ", ".join(RECOMMENDATION_LABELS.get(r, r) for r in f.recommendations),
                    "Có" if f.remedied else "Chưa",
                    ", ".join(c.tracking_code for c in f.complaints),
                ]
            )
    _widths(ws, [36, 14, 60, 30, 14, 40, 12, 40])
    return _save(wb)


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
