"""Canonical vocabularies: data files load, aliases resolve, spelling variants normalize."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.vocabulary import (
    VOCABULARY_NAMES,
    normalize_key,
    perpetrator_id,
    place_id,
    victim_group_id,
    vocabulary,
)

DESIGN_IDS = {
    "perpetrators": {
        "all_parties", "syrian_regime", "russia", "syrian_russian_alliance", "isis", "hts",
        "extremist_groups", "sdf", "armed_opposition", "international_coalition", "israel",
        "turkey", "other_parties", "unknown",
        # other conflicts (DESIGN.md section 7; ids of ../shared/corpus/annotated)
        "taliban", "anti_government_elements", "pro_government_forces", "ukraine_forces",
        "hamas", "palestinian_armed_groups", "houthis", "saudi_led_coalition", "us_uk_coalition",
    },
    "victim_groups": {
        "people", "civilians", "children", "women", "men", "combatants", "medical_personnel",
        "civil_defense", "medical_and_civil_defense", "media_workers", "refugees", "detainees",
    },
    "metrics": {
        "killed", "died_under_torture", "injured", "casualties", "detained",
        "forcibly_disappeared", "displaced", "massacres", "attacks",
    },
}  # fmt: skip


@pytest.mark.parametrize("name", VOCABULARY_NAMES)
def test_vocabularies_load_with_labels_and_aliases(name: str) -> None:
    vocab = vocabulary(name)
    assert vocab.entries
    for entry in vocab.entries:
        assert entry.label
        assert entry.aliases or entry.exact


EXTENSIONS = {"victim_groups": {"security_forces"}}  # added beyond the design, documented


@pytest.mark.parametrize("name", sorted(DESIGN_IDS))
def test_vocabularies_hold_the_design_ids(name: str) -> None:
    assert vocabulary(name).ids == DESIGN_IDS[name] | EXTENSIONS.get(name, set())


@pytest.mark.parametrize("name", VOCABULARY_NAMES)
def test_no_alias_names_two_ids(name: str) -> None:
    owner: dict[str, str] = {}
    for entry in vocabulary(name).entries:
        for alias in (*entry.aliases, *entry.exact):
            key = normalize_key(alias)
            assert owner.setdefault(key, entry.id) == entry.id, f"{alias!r} is ambiguous"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Syrian regime forces", "syrian_regime"),
        ("Government forces", "syrian_regime"),
        ("forces we believe are Russian", "russia"),
        ("the Syrian-Russian alliance", "syrian_russian_alliance"),
        ("ISIS (the self-proclaimed Islamic State)", "isis"),
        ("Daesh", "isis"),
        ("Hay’at Tahrir al-Sham", "hts"),
        ("Kurdish Self-Management forces", "sdf"),
        ("Syrian National Army", "armed_opposition"),
        ("US-led coalition", "international_coalition"),
        ("Total", "all_parties"),
        ("Unknowns", "unknown"),
        ("Other parties", "other_parties"),
        ("ISIL-K", "isis"),
        ("Israeli security forces", "israel"),
        ("Saudi-led coalition", "saudi_led_coalition"),
        ("قوات النظام السوري", "syrian_regime"),
        ("Nobody in particular", None),
    ],
)
def test_perpetrators(raw: str, expected: str | None) -> None:
    assert perpetrator_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Damascus suburbs", "rural_damascus"),
        ("Damascus", "damascus"),
        ("Deir Al Zour", "deir_ez_zor"),
        ("Lattakia", "latakia"),
        ("Hasaka", "hasakah"),
        ("Tartous", "tartus"),
        ("ريف دمشق", "rural_damascus"),
        ("Syria", "SY"),
    ],
)
def test_places(raw: str, expected: str) -> None:
    assert place_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("children", "children"), ("ladies", "women"), ("rebels", "combatants"),
     ("media activists", "media_workers"), ("Civilians", "civilians")],
)  # fmt: skip
def test_victim_groups(raw: str, expected: str) -> None:
    assert victim_group_id(raw) == expected


_aliases = [
    (name, alias, entry.id)
    for name in ("perpetrators", "places")
    for entry in vocabulary(name).entries
    for alias in entry.aliases
    if alias.isascii()
]


@given(
    st.sampled_from(_aliases),
    st.sampled_from([str.upper, str.lower, str.title, lambda s: f"  {s}  ", lambda s: s + "."]),
)
def test_case_spacing_and_punctuation_do_not_matter(pair: tuple[str, str, str], variant) -> None:
    name, alias, canonical = pair
    assert vocabulary(name).lookup(variant(alias)) == canonical


@given(st.text(max_size=50))
def test_lookup_never_raises(text: str) -> None:
    for name in VOCABULARY_NAMES:
        vocabulary(name).lookup(text)
