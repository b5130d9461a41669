"""The result of one data or model check, and the report that lists them."""

from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import PipelineError
from .files import write_json, write_text
from .markup import escaped


@dataclass(frozen=True)
class Result:
    check: str
    column: str | None
    observed: object
    bound: str
    passed: bool

    def line(self) -> str:
        where = f"column {self.column!r}: " if self.column else ""
        return f"{where}{self.check} is {self.observed}, expected {self.bound}"

    def as_dict(self) -> dict:
        fields = {**asdict(self), "passed": bool(self.passed)}
        if not isinstance(self.observed, int | float | str):
            fields["observed"] = str(self.observed)
        return fields


def rounded(value: float, digits: int = 6) -> float:
    """Round to significant digits, so reports and profiles diff cleanly."""
    return float(f"{value:.{digits}g}")


def markdown(results: list[Result], title: str) -> str:
    failed = [result for result in results if not result.passed]
    verdict = (
        f"**{len(failed)} of {len(results)} checks failed.**"
        if failed
        else f"All {len(results)} checks passed."
    )
    rows = [
        f"| {'pass' if result.passed else '**FAIL**'} | {escaped(result.column or '(data set)')} "
        f"| {escaped(result.check)} | {escaped(result.observed)} | {escaped(result.bound)} |"
        for result in sorted(results, key=lambda result: result.passed)
    ]
    header = [
        "| result | column | check | observed | expected |",
        "| --- | --- | --- | --- | --- |",
    ]
    return "\n".join([f"# {escaped(title)}", "", verdict, "", *header, *rows]) + "\n"


def write_report(results: list[Result], stem: Path, title: str, extra: dict | None = None) -> None:
    """stem.json for programs and stem.md for people."""
    summary = {"passed": all(result.passed for result in results), **(extra or {})}
    write_json(
        {**summary, "checks": [result.as_dict() for result in results]}, stem.with_suffix(".json")
    )
    write_text(markdown(results, title), stem.with_suffix(".md"))


def raise_on_failure(
    results: list[Result], report: Path, then: str, error: type[PipelineError] = PipelineError
) -> None:
    """One line for the first failure; the report has them all."""
    failed = [result for result in results if not result.passed]
    if failed:
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        raise error(f"{failed[0].line()}{more}; see {report}; {then}")
