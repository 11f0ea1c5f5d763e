"""The check families: each measures a group of indicators from one :class:`Facts` value.

Importing this package registers the built-in families, one module per group of indicators
(availability, updates, links, interaction, service, errors); the interface, the registry and
the loop over it are :mod:`inspector.core.checks.base`.
"""

from inspector.core.checks import availability, errors, interaction, links, service, updates  # noqa: F401 (registers)
from inspector.core.checks.base import Facts, Family, early_reader, families, family, family_of, measure, unregister

__all__ = ["Facts", "Family", "early_reader", "families", "family", "family_of", "measure", "unregister"]
