"""The OpenAPI 3.1 document of /api/v1, written from the endpoints' declarations (endpoints.py: paths, parameters,
answers) and the schemas (schemas.py, the records' from records/kinds.py), in the reader's language."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from portal.web import site_name, site_root

from .endpoints import ENDPOINTS, PATH_PARAMS, Endpoint
from .schemas import Schema, components, list_schema, ref

VERSION = "1.0.0"
ERRORS: dict[int, str] = {400: "BadRequest", 404: "NotFound", 410: "Gone", 503: "Unavailable"}


def _cors() -> Schema:
    return {"$ref": "#/components/headers/AccessControlAllowOrigin"}


def _json(schema: Schema) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _responses() -> dict[str, Any]:
    def answer(description: str, schema: str) -> dict[str, Any]:
        return {
            "description": description,
            "headers": {"Access-Control-Allow-Origin": _cors()},
            "content": _json(ref(schema)),
        }

    return {
        "BadRequest": answer(_("参数有误：problems 列出每个有问题的参数及其说明"), "Error"),
        "NotFound": answer(_("不存在或不公开"), "Error"),
        "Gone": answer(_("该记录已停止公示：只给出类别、主体、停止日期和原因"), "Gone"),
        "Unavailable": answer(_("搜索索引正在重建，请稍后再试"), "Error"),
        "NotModified": {"description": _("内容未变（请求带有 If-None-Match 且与 ETag 相同）")},
    }


def _headers() -> dict[str, Any]:
    return {
        "AccessControlAllowOrigin": {
            "description": _("任何网站的网页都可以读取（CORS）"),
            "required": True,
            "schema": {"type": "string", "const": "*"},
        },
        "ETag": {
            "description": _("内容的版本；下次请求带上 If-None-Match，内容未变时答复 304"),
            "required": True,
            "schema": {"type": "string"},
        },
    }


def _parameters(endpoint: Endpoint) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for name in endpoint.path_params:
        schema, description = PATH_PARAMS[name]
        found.append({"name": name, "in": "path", "required": True, "description": str(description), "schema": schema})
    for param in endpoint.params():
        schema = param.schema()
        description = schema.pop("description")
        found.append(
            {"name": param.name, "in": "query", "required": False, "description": description, "schema": schema}
        )
    return found


def operation(endpoint: Endpoint) -> dict[str, Any]:
    body = list_schema(ref(endpoint.schema), endpoint.summary) if endpoint.is_list else ref(endpoint.schema)
    responses: dict[str, Any] = {
        "200": {
            "description": str(endpoint.summary),
            "headers": {
                "ETag": {"$ref": "#/components/headers/ETag"},
                "Access-Control-Allow-Origin": _cors(),
            },
            "content": _json(body),
        },
        "304": {"$ref": "#/components/responses/NotModified"},
    }
    for status in endpoint.errors:
        responses[str(status)] = {"$ref": f"#/components/responses/{ERRORS[status]}"}
    found: dict[str, Any] = {
        "operationId": endpoint.name,
        "summary": str(endpoint.summary),
        "tags": [str(endpoint.tag)],
        "parameters": _parameters(endpoint),
        "responses": responses,
    }
    if endpoint.description:
        found["description"] = str(endpoint.description)
    return found


def document() -> dict[str, Any]:
    """The whole document (a plain dict, ready for JSON)."""
    site = site_root()
    tags = list(dict.fromkeys(str(endpoint.tag) for endpoint in ENDPOINTS))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": _("%(site)s 开放数据接口", site=site_name()),
            "version": VERSION,
            "summary": _("政务诚信公示平台公开数据的只读 JSON 接口"),
            "description": _(
                "只提供网站上公开的内容，公示规则与网页相同：停止公示的记录只给出简短说明（410）。列表的筛选条件"
                "与网页相同，按游标分页（next_cursor）。日期为 ISO 格式，金额以万元为单位。每个答复都带有 ETag，"
                "并允许任何网站读取（CORS）。使用说明：%(page)s",
                page=f"{site}/developers/",
            ),
            "license": {"name": _("开放数据许可"), "url": f"{site}/data/"},
        },
        "servers": [{"url": site}],
        "tags": [{"name": tag} for tag in tags],
        "paths": {endpoint.path: {"get": operation(endpoint)} for endpoint in ENDPOINTS},
        "components": {"schemas": components(), "responses": _responses(), "headers": _headers()},
    }
