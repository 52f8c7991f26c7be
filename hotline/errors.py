"""Error hierarchy and the handlers that render it: problem+json for the API, Vietnamese pages otherwise."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from hotline.extensions import db

log = logging.getLogger(__name__)

HTTP_TITLES_VI = {
    400: "Yêu cầu không hợp lệ",
    401: "Cần đăng nhập",
    403: "Không có quyền truy cập",
    404: "Không tìm thấy",
    405: "Phương thức không được hỗ trợ",
    409: "Xung đột dữ liệu",
    413: "Dữ liệu gửi lên quá lớn",
    415: "Định dạng dữ liệu không được hỗ trợ",
    422: "Dữ liệu không hợp lệ",
    429: "Quá nhiều yêu cầu, vui lòng thử lại sau",
    500: "Lỗi hệ thống",
    503: "Dịch vụ tạm thời không sẵn sàng",
}


class HotlineError(Exception):
    http_status = 400
    title = "Yêu cầu không hợp lệ"

    def __init__(self, detail: str = "", errors: dict[str, str] | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or {}


class ValidationError(HotlineError):
    http_status = 422
    title = "Dữ liệu không hợp lệ"


class BadRequest(HotlineError):
    http_status = 400


class NotFound(HotlineError):
    http_status = 404
    title = "Không tìm thấy"


class Forbidden(HotlineError):
    http_status = 403
    title = "Không có quyền truy cập"


class Unauthorized(HotlineError):
    http_status = 401
    title = "Cần đăng nhập"


class InvalidTransition(HotlineError):
    http_status = 409
    title = "Thao tác không hợp lệ ở trạng thái hiện tại"


class RoutingError(HotlineError):
    http_status = 409
    title = "Không xác định được cơ quan xử lý"


class ClassifierUnavailable(HotlineError):
    http_status = 503
    title = "Bộ phân loại chưa sẵn sàng"


class TransientError(HotlineError):
    """A blip (DB or Redis) worth retrying."""

    http_status = 503
    title = "Dịch vụ tạm thời không sẵn sàng"


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def problem(status: int, title: str, detail: str = "", errors: dict | None = None) -> Response:
    body: dict = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.content_type = "application/problem+json"
    return response


def register_error_handlers(app: Flask) -> None:
    def render(status: int, title: str, detail: str = "", errors: dict | None = None):
        if wants_json():
            return problem(status, title, detail, errors)
        html = render_template("error.html", status=status, title=title, detail=detail)
        return html, status

    @app.errorhandler(HotlineError)
    def handle_hotline_error(exc: HotlineError):
        db.session.rollback()
        return render(exc.http_status, exc.title, exc.detail, exc.errors)

    @app.errorhandler(CSRFError)
    def handle_csrf(exc: CSRFError):
        return render(400, "Phiên làm việc đã hết hạn", "Vui lòng tải lại trang và gửi lại.")

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        status = exc.code or 500
        title = HTTP_TITLES_VI.get(status, exc.name)
        detail = ""
        if status == 413:
            detail = "Kích thước dữ liệu vượt quá giới hạn cho phép."
        elif status == 429:
            detail = "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn."
        return render(status, title, detail)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        db.session.rollback()
        log.exception("unhandled error path=%s", request.path)
        return render(500, HTTP_TITLES_VI[500], "Đã có lỗi xảy ra; yêu cầu của bạn chưa được ghi.")
