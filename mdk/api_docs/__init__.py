"""/api/docs: the OpenAPI document shown with Swagger UI, served from the pinned
swagger-ui-bundle package (no CDN: hospital networks are closed)."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.api_docs import views

    app.register_blueprint(views.blp)
