"""The two ways of counting agencies in the demand report.

As the report counts: an umbrella counts once, so every agency counts as its topmost ancestor
(a court counts as Domstolsverket). As legal agencies: an umbrella counts as its members
(Domstolsverket = 80 courts, Länsstyrelserna = 21 boards) and a group never counts itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from samdrift.organisations.selectors import hierarchy_rows


@dataclass(frozen=True)
class Hierarchy:
    parent_of: dict[int, int | None]
    children_of: dict[int, list[int]]
    is_group: dict[int, bool]

    @classmethod
    def load(cls) -> Hierarchy:
        parent_of: dict[int, int | None] = {}
        is_group: dict[int, bool] = {}
        children_of: dict[int, list[int]] = defaultdict(list)
        for org_id, _name, parent_id, group, _org_number in hierarchy_rows():
            parent_of[org_id] = parent_id
            is_group[org_id] = group
            if parent_id is not None:
                children_of[parent_id].append(org_id)
        return cls(parent_of, dict(children_of), is_group)

    def root(self, org_id: int) -> int:
        seen = set()
        while (parent := self.parent_of.get(org_id)) is not None and org_id not in seen:
            seen.add(org_id)
            org_id = parent
        return org_id

    def legal_units(self, org_id: int) -> set[int]:
        """The legal agencies an organisation stands for: its leaves, or itself when it has none."""
        children = self.children_of.get(org_id)
        if not children:
            return set() if self.is_group.get(org_id) else {org_id}
        units: set[int] = set()
        for child in children:
            units |= self.legal_units(child)
        return units

    def legal_total(self) -> int:
        return sum(
            1
            for org_id in self.parent_of
            if not self.children_of.get(org_id) and not self.is_group[org_id]
        )

    def count_as_report(self, org_ids: set[int]) -> int:
        return len({self.root(org_id) for org_id in org_ids})

    def count_legal(self, org_ids: set[int]) -> int:
        units: set[int] = set()
        for org_id in org_ids:
            units |= self.legal_units(org_id)
        return len(units)
