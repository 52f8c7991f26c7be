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
