"""Extension instances, created once here and bound to the app in create_app()."""

from http import HTTPStatus

import flask_smorest
from flask import current_app, request
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import etag as smorest_etag
from flask_smorest.exceptions import PreconditionFailed
from flask_smorest.utils import prepare_response
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from mdk.db import Base
from mdk.schemas import PROBLEM_CONTENT_TYPE, Key, ProblemSchema


class BodyParser(FlaskParser):
    """webargs reads JSON bodies with Flask's own request.get_json, so every unreadable body
    (none, bad syntax, bad UTF-8, a number of more than 4,300 digits) fails in one place:
    the request's on_json_loading_failed (mdk.core.errors), a 400 problem (415 when the
    body is not JSON at all)."""

    def _raw_load_json(self, req):
        # The documented body is required: none (or not JSON) is a 400 (or 415) too.
        return req.get_json()


class Blueprint(flask_smorest.Blueprint):
    """Every REST blueprint: parses bodies with BodyParser, and takes flask-smorest's ETags
    (the views decorated with `@blp.etag`) with three changes:

    - If-Match is optional: without it a change goes ahead (clinic systems that do not send
      it keep working); with it, a stale tag gets 412 and nothing changes. flask-smorest
      would answer 428 to a PATCH without it.
    - POST is checked too: here a POST changes the resource it is under (a case's moves, a
      material item's availability and files), so it takes If-Match like a PATCH.
    - A 304 is empty and carries its ETag (RFC 9110 §15.4.5), and If-None-Match compares
      weakly (§13.1.2), so a tag a proxy weakened still matches.
    """

    ARGUMENTS_PARSER = BodyParser()
    METHODS_NEEDING_CHECK_ETAG = ["PUT", "PATCH", "DELETE", "POST"]

    def _check_precondition(self):
        """No If-Match is no precondition (flask-smorest's 428): see the class."""

    def check_etag(self, etag_data, etag_schema=None):
        if not request.if_match:
            smorest_etag._get_etag_ctx()["etag_checked"] = True
            return
        try:
            super().check_etag(etag_data, etag_schema)
        except PreconditionFailed as error:
            error.description = ("The resource has changed since the ETag sent in If-Match: "
                                 "read it again and send the change with its new ETag.")
            raise

    def _check_not_modified(self, etag):
        if (request.method in self.METHODS_CHECKING_NOT_MODIFIED
                and request.if_none_match.contains_weak(etag)):
            response = current_app.response_class(status=304)
            response.set_etag(etag)
            raise HTTPException(response=response)

    def _prepare_etag_doc(self, doc, doc_info, **kwargs):
        doc = super()._prepare_etag_doc(doc, doc_info, **kwargs)
        doc.get("responses", {}).pop(428, None)  # If-Match is optional
        return doc


class ProblemApi(flask_smorest.Api):
    """The OpenAPI document tells what the API sends: errors as application/problem+json
    with the Problem schema, and X-Pagination as the JSON text it is."""

    ERROR_SCHEMA = ProblemSchema

    def init_app(self, app, *, spec_kwargs=None):
        super().init_app(app, spec_kwargs=spec_kwargs)
        api = self

        def known_keys(converter, field, **kwargs):
            if not isinstance(field, Key):
                return {}
            with api._app.app_context():  # the configured keys live in the app
                return {"enum": sorted(field.known())}

        self.ma_plugin.converter.add_attribute_function(known_keys)

    def _register_responses(self):
        """flask-smorest's error response components (one per status, and the default),
        with the problem content type: success responses stay application/json."""
        for status in HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def _register_etag_headers(self):
        """flask-smorest's ETag parameters and header, with If-Match optional (Blueprint)."""
        self.spec.components.parameter("IF_NONE_MATCH", "header", {
            **smorest_etag.IF_NONE_MATCH_HEADER,
            "description": "The ETag of the copy the caller has: unchanged, the answer is "
                           "304 without a body"}, lazy=True)
        self.spec.components.header("ETAG", smorest_etag.ETAG_HEADER, lazy=True)
        self.spec.components.parameter("IF_MATCH", "header", {
            **smorest_etag.IF_MATCH_HEADER, "required": False,
            "description": "The ETag the change is based on (optional): when it is no "
                           "longer the resource's, the change is refused with 412 and "
                           "nothing changes"}, lazy=True)

    def _register_pagination_header(self):
        self.spec.components.header("PAGINATION", {
            "description": "Pagination metadata as a JSON object in text: total, "
                           "total_pages, first_page, last_page, page, previous_page, "
                           "next_page",
            "schema": {"type": "string",
                       "example": '{"total": 42, "total_pages": 2, "first_page": 1, '
                                  '"last_page": 2, "page": 1, "next_page": 2}'},
        }, lazy=True)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
api = ProblemApi()
login_manager = LoginManager()
