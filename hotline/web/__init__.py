"""Blueprints, one package per audience."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from hotline.web.api import bp as api_bp
    from hotline.web.auth import bp as auth_bp
    from hotline.web.operator import bp as operator_bp
    from hotline.web.public import bp as public_bp

    for bp in (public_bp, auth_bp, api_bp, operator_bp):
        app.register_blueprint(bp)
    from hotline.web.agency import bp as agency_bp
    from hotline.web.citizen import bp as citizen_bp

    app.register_blueprint(agency_bp)
    app.register_blueprint(citizen_bp)
    from hotline.web.admin import bp as admin_bp
    from hotline.web.duplicates import bp as duplicates_bp

    app.register_blueprint(admin_bp)
    app.register_blueprint(duplicates_bp)
    from hotline.web.inspection import bp as inspection_bp

    app.register_blueprint(inspection_bp)

    from hotline.web.templating import register_template_helpers

    register_template_helpers(app)
