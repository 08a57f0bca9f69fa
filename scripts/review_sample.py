"""Review the invented sample corpus again: write every ``data/sample/NAME.decisions.json`` afresh.

For maintainers, after a change of the extractor makes ``kg run --sample`` stop with "was made for another
draft of its article". It runs the sample the real way (``kg.pipeline.run_sample``) and, before each article's
gate, writes its decisions: every drafted fact accepted except the ones listed in ``REJECT`` (facts a reviewer
rejects, named by their label), and every candidate merge of ``kg.corpus.consolidate`` accepted when both of its
names are in ``SAME`` (the variants the sample plants on purpose), rejected otherwise. Read the drafts it
leaves in ``sample/drafts/`` before committing the files it wrote.

    .venv/bin/python scripts/review_sample.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kg.ingest.decisions import decisions_template
from kg.ingest.review import load_review
from kg.paths import make_paths
from kg.pipeline import SAMPLE_OUT, run_sample

ROOT = Path(__file__).resolve().parent.parent
#: Facts a reviewer rejects, by the label the draft gives them (what the extractor gets wrong in the sample).
REJECT = {"产品包括电子"}
#: Names the sample plants as one entity under two names.
SAME = [{"深圳湖南商会", "深圳市湖南商会"}, {"湖南湘澜新材料股份有限公司", "湘澜股份"}]


def decide(article: Path, draft: Path) -> None:
    """Write the decisions of *article*'s *draft* next to the article (not of a repost the merge refuses)."""
    if "repost" in article.stem:
        return
    review = load_review(draft)
    data = decisions_template(review)
    for fact, candidate in zip(data["facts"], review.candidates, strict=True):
        if candidate.label in REJECT:
            fact["decision"] = "reject"
    data["merges"] = [{"id": m.id, "into": m.into,
                       "decision": "accept" if any(set(m.names) <= same for same in SAME) else "reject"}
                      for m in review.merges]
    data.pop("draft_sha256", None)  # the draft names the article by its absolute path, which differs per clone
    out = article.with_name(f"{article.stem}.decisions.json")
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    rejected = [c.label for c in review.candidates if c.label in REJECT]
    merged = [" = ".join(m.names) for m in review.merges if any(set(m.names) <= same for same in SAME)]
    print(f"{article.stem}: {len(review.candidates)} facts, rejected {rejected or 'none'}, "
          f"merges accepted {merged or 'none'}")


def main() -> int:
    paths = make_paths(ROOT, ROOT / ".kg" / "store")
    report = run_sample(paths, ROOT / SAMPLE_OUT, review=decide)
    print(report.render(SAMPLE_OUT), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
