from pathlib import Path

from cskpi.metrics.catalogue import to_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "kpis.md"


def test_docs_kpis_md_is_generated_from_the_registry():
    assert DOC.read_text(encoding="utf-8") == to_markdown(), (
        "docs/kpis.md is stale: run `python -m cskpi.metrics.catalogue > docs/kpis.md`"
    )
