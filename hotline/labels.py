"""Vietnamese display labels for codes (presentation only; logic branches on codes)."""

FIELD_LABELS = {
    "land": "Đất đai",
    "compensation": "Bồi thường, hỗ trợ, tái định cư",
    "investment": "Đầu tư, doanh nghiệp",
    "construction": "Xây dựng, trật tự đô thị",
    "environment": "Môi trường",
    "traffic": "Giao thông",
    "urban_services": "Hạ tầng, dịch vụ đô thị",
    "social": "Lao động, chính sách xã hội",
    "health": "Y tế",
    "education": "Giáo dục",
    "public_order": "An ninh trật tự",
    "admin_procedure": "Thủ tục hành chính, công vụ",
    "other": "Khác",
}

KIND_LABELS = {
    "phan_anh": "Phản ánh",
    "kien_nghi": "Kiến nghị",
    "khieu_nai": "Khiếu nại",
    "to_cao": "Tố cáo",
    "hoi_dap": "Hỏi đáp",
}

CHANNEL_LABELS = {
    "phone": "Điện thoại 1022",
    "web": "Cổng thông tin (web)",
    "zalo": "Zalo",
    "email": "Thư điện tử",
    "app": "Ứng dụng di động",
    "walk_in": "Trực tiếp",
}

LEVEL_LABELS = {"province": "Cấp tỉnh", "commune": "Cấp xã", "utility": "Doanh nghiệp dịch vụ"}
SCOPE_LABELS = {"province": "phạm vi cấp tỉnh", "commune": "phạm vi cấp xã"}

# Timeline labels of events that are not plain state changes (those use STATE_LABELS).
EVENT_LABELS = {
    "note": "Ghi chú nội bộ",
    "identity_viewed": "Xem thông tin người gửi được bảo mật",
    "identity_granted": "Thanh tra cho phép cơ quan xem danh tính người tố cáo",
    "extension_requested": "Đề nghị gia hạn",
    "extension_approved": "Giám sát viên duyệt gia hạn",
    "extension_denied": "Giám sát viên không duyệt gia hạn",
    "resumed": "Tiếp tục xử lý (hết tạm đình chỉ)",
    "reassigned": "Giám sát viên chuyển cơ quan khác",
    "returned": "Cơ quan trả lại (không đúng thẩm quyền)",
    "rated": "Người dân đánh giá",
    "rated_closed": "Người dân đánh giá và kết thúc",
    "auto_closed": "Tự động kết thúc sau 7 ngày",
    "overdue": "Quá hạn xử lý",
    "due_soon": "Nhắc việc: sắp đến hạn",
}
