"""The read-only JSON API (/api/v1/): records, commitments, outcomes, agencies, published complaints, monthly
bulletins and statistics, by the same publication rule and the same filters as the pages, with cursor paging; its
OpenAPI 3.1 document (/api/v1/openapi.json), generated from the same declarations (`endpoints.py` for the
parameters, `schemas.py` for the bodies, which records/kinds.py drives); and the developers' page (/developers/)."""
