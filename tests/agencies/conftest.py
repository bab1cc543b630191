"""The search fixtures (one demo index per engine, and a writable copy), for the rename test."""

from tests.search.conftest import built_index, writable_index  # noqa: F401 (fixtures)
