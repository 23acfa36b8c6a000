"""The base of every config section model, and how sections check relations between fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

#: Validation context key: the caller has checked the relations on the raw input already.
RELATIONS_CHECKED = "medinfra.relations_checked"


class SectionModel(BaseModel):
    """Camel-case keys, unknown keys refused, immutable, field docstrings as descriptions."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
    )


def check_relations(
    model: BaseModel, info: ValidationInfo, relations: Callable[[Mapping[str, Any]], list]
) -> None:
    """Raise the relations `relations` finds in `model`, unless the loader checked them."""
    if (info.context or {}).get(RELATIONS_CHECKED):
        return
    found = relations(model.model_dump(by_alias=True))
    if found:
        raise PydanticCustomError(
            "medinfra_relation", "; ".join(f"{k}: {msg}" for k, _, msg in found)
        )
