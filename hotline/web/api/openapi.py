"""The OpenAPI 3.1 document for /api/v1 (kept beside the routes; a test checks every route is in it)."""

from __future__ import annotations

from hotline.complaints.models import CHANNELS, STATES
from ml.labels import FIELDS, KINDS

PROBLEM = {"$ref": "#/components/responses/Problem"}


def _op(summary: str, responses: dict, **extra) -> dict:
    return {"summary": summary, "responses": responses, **extra}


def build_openapi() -> dict:
    code_param = {
        "name": "code",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "Mã tra cứu, ví dụ 7KQ2M-XH4PD-9TR3F",
    }
    bearer = [{"bearer": []}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tổng đài 1022 — API",
            "version": "1.0.0",
            "description": "Tiếp nhận, tra cứu và xử lý phản ánh, kiến nghị của người dân.",
        },
        "paths": {
            "/api/v1/complaints": {
                "post": _op(
                    "Gửi phản ánh mới",
                    {
                        "201": {
                            "description": "Đã tiếp nhận",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/IntakeReceipt"}
                                }
                            },
                        },
                        "200": {"description": "Cùng Idempotency-Key: trả lại phản ánh đã có"},
                        "400": PROBLEM,
                        "409": PROBLEM,
                        "413": PROBLEM,
                        "422": PROBLEM,
                        "429": PROBLEM,
                    },
                    parameters=[
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string", "maxLength": 200},
                        }
                    ],
                    requestBody={
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/IntakeRequest"}
                            }
                        },
                    },
                ),
            },
            "/api/v1/complaints/{code}": {
                "get": _op(
                    "Tra cứu tình trạng (cần 4 số cuối điện thoại hoặc mã bí mật)",
                    {
                        "200": {
                            "description": "Tình trạng và tiến trình công khai",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Status"}
                                }
                            },
                        },
                        "404": PROBLEM,
                        "429": PROBLEM,
                    },
                    parameters=[
                        code_param,
                        {"name": "phone_last4", "in": "query", "schema": {"type": "string"}},
                        {"name": "secret", "in": "query", "schema": {"type": "string"}},
                    ],
                ),
            },
            "/api/v1/complaints/{code}/triage": {
                "post": _op(
                    "Phân loại thủ công (giám sát viên)",
                    {
                        "200": {"description": "Đã phân loại và chuyển cơ quan"},
                        "400": PROBLEM,
                        "401": PROBLEM,
                        "403": PROBLEM,
                        "404": PROBLEM,
                        "409": PROBLEM,
                        "422": PROBLEM,
                    },
                    parameters=[code_param],
                    security=bearer,
                    requestBody={
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["field", "kind", "agency"],
                                    "properties": {
                                        "field": {"enum": list(FIELDS)},
                                        "kind": {"enum": list(KINDS)},
                                        "agency": {"type": "string"},
                                        "note": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                ),
            },
            **_inbox_paths(code_param, bearer),
            "/api/v1/agencies": {"get": _op("Danh sách cơ quan", {"200": {"description": "OK"}})},
            "/api/v1/wards": {
                "get": _op(
                    "Tìm xã/phường (gợi ý)",
                    {"200": {"description": "OK"}},
                    parameters=[{"name": "q", "in": "query", "schema": {"type": "string"}}],
                ),
            },
            "/api/v1/openapi.json": {
                "get": _op("Tài liệu OpenAPI", {"200": {"description": "OK"}})
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Problem": {
                    "description": "Lỗi (RFC 9457)",
                    "content": {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }
                    },
                }
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "errors": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                },
                "IntakeRequest": {
                    "type": "object",
                    "required": ["content"],
                    "properties": {
                        "content": {"type": "string", "minLength": 10, "maxLength": 10000},
                        "channel": {"enum": list(CHANNELS), "default": "web"},
                        "anonymous": {"type": "boolean"},
                        "confidential": {"type": "boolean"},
                        "escalated_to_central": {"type": "boolean"},
                        "ward_code": {"type": "integer"},
                        "location_text": {"type": "string"},
                        "citizen": {
                            "type": "object",
                            "properties": {
                                "name": {"type": "string"},
                                "phone": {"type": "string"},
                                "email": {"type": "string", "format": "email"},
                                "address": {"type": "string"},
                            },
                        },
                    },
                },
                "IntakeReceipt": {
                    "type": "object",
                    "properties": {
                        "tracking_code": {"type": "string"},
                        "status": {"enum": list(STATES)},
                        "received_at": {"type": "string", "format": "date-time"},
                        "status_url": {"type": "string"},
                        "secret": {"type": "string", "description": "Chỉ trả về một lần"},
                    },
                },
                "Status": {
                    "type": "object",
                    "properties": {
                        "tracking_code": {"type": "string"},
                        "status": {"enum": list(STATES)},
                        "field": {"enum": [*FIELDS, None]},
                        "kind": {"enum": [*KINDS, None]},
                        "agency": {"type": ["object", "null"]},
                        "deadline": {"type": ["string", "null"]},
                        "overdue": {"type": "boolean"},
                        "timeline": {"type": "array"},
                    },
                },
            },
        },
    }


def _inbox_paths(code_param: dict, bearer: list) -> dict:
    """Agency inbox, detail, handling actions (issue 4) and the citizen's feedback."""
    staff_errors = {"401": PROBLEM, "403": PROBLEM, "404": PROBLEM}
    flag = {"type": "string", "enum": ["1", "0", "true", "false"]}
    return {
        "/api/v1/inbox": {
            "get": _op(
                "Hộp việc: phản ánh của cơ quan mình (giám sát viên: tất cả), có lọc và phân trang",
                {
                    "200": {"description": "items, page, per_page, total, pages"},
                    "422": PROBLEM,
                    **staff_errors,
                },
                security=bearer,
                parameters=[
                    {"name": "state", "in": "query", "schema": {"enum": [*STATES, "open"]}},
                    {"name": "field", "in": "query", "schema": {"enum": list(FIELDS)}},
                    {"name": "overdue", "in": "query", "schema": flag},
                    {
                        "name": "due_soon",
                        "in": "query",
                        "schema": flag,
                        "description": "Hạn trong vòng 2 ngày làm việc",
                    },
                    {
                        "name": "q",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": "Mã tra cứu hoặc từ khóa trong nội dung",
                    },
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    {
                        "name": "per_page",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                    },
                ],
            )
        },
        "/api/v1/complaints/{code}/detail": {
            "get": _op(
                "Chi tiết phản ánh cho cán bộ (tiến trình đầy đủ; danh tính người tố cáo chỉ hiện "
                "khi được phép và mỗi lượt xem được ghi lại)",
                {"200": {"description": "OK"}, **staff_errors},
                parameters=[code_param],
                security=bearer,
            )
        },
        "/api/v1/complaints/{code}/actions": {
            "post": _op(
                "Thao tác xử lý. accept (note?), return (reason), extend (reason, days: đề nghị gia "
                "hạn, chờ giám sát viên duyệt), answer (text, attachment?), close (note?), note "
                "(text); giám sát viên: approve_extension/deny_extension (note?), pause/resume "
                "(reason), reassign (agency, reason). Tệp đính kèm trả lời qua API: "
                "{filename, content_base64} (PDF/JPG/PNG/DOCX/XLSX, tối đa 10 MB) hoặc bỏ trống.",
                {
                    "200": {"description": "Chi tiết phản ánh sau thao tác"},
                    "400": PROBLEM,
                    "409": PROBLEM,
                    "413": PROBLEM,
                    "422": PROBLEM,
                    **staff_errors,
                },
                parameters=[code_param],
                security=bearer,
                requestBody={
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["action"],
                                "properties": {
                                    "action": {
                                        "enum": [
                                            "accept",
                                            "return",
                                            "extend",
                                            "answer",
                                            "close",
                                            "note",
                                            "approve_extension",
                                            "deny_extension",
                                            "pause",
                                            "resume",
                                            "reassign",
                                        ]
                                    },
                                    "note": {"type": "string"},
                                    "reason": {"type": "string"},
                                    "text": {"type": "string"},
                                    "days": {"type": "integer", "minimum": 1, "maximum": 60},
                                    "agency": {
                                        "type": "string",
                                        "description": "Mã cơ quan (reassign)",
                                    },
                                    "attachment": {
                                        "type": "object",
                                        "required": ["filename", "content_base64"],
                                        "properties": {
                                            "filename": {"type": "string"},
                                            "content_base64": {"type": "string"},
                                        },
                                    },
                                },
                            }
                        }
                    },
                },
            )
        },
        "/api/v1/complaints/{code}/feedback": {
            "post": _op(
                "Người dân đánh giá (rate: rating 1–5, comment?) hoặc đề nghị xem xét lại trong 7 "
                "ngày (reopen: reason); cần phone_last4 hoặc secret",
                {
                    "200": {"description": "Tình trạng công khai sau thao tác"},
                    "400": PROBLEM,
                    "404": PROBLEM,
                    "409": PROBLEM,
                    "422": PROBLEM,
                    "429": PROBLEM,
                },
                parameters=[code_param],
                requestBody={
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["action"],
                                "properties": {
                                    "action": {"enum": ["rate", "reopen"]},
                                    "phone_last4": {"type": "string"},
                                    "secret": {"type": "string"},
                                    "rating": {"type": "integer", "minimum": 1, "maximum": 5},
                                    "comment": {"type": "string"},
                                    "reason": {"type": "string"},
                                },
                            }
                        }
                    },
                },
            )
        },
    }
