"""Data-derived strings in the library's Markdown: rendered by a CommonMark parser with GitHub's
tables, each stays the text of its one cell, opens no HTML, and notifies no one."""

import html
import re
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cd4ml import checks
from cd4ml.ci import pr_report
from cd4ml.markup import escaped
from cd4ml.serving import smoke_checks

# HTML stays on, as on GitHub, GitLab and Azure DevOps: only escaping keeps a tag out.
MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
# What the library's own Markdown may hold: the base revision and the service's URL in code font,
# and the commands it names.
OWN_HTML = {"<code>", "</code>"}
OWN_CODE = {"make serve", "make smoke"}
INVISIBLE = "\u200b"
FRAGMENTS = [
    *["<details>", "<!--", "-->", "</td>", "<img src=x onerror=alert(1)>", "<http://e.example>"],
    *["@octocat", "@org/team", "#12", "GH-12", "|", "\\|", "`", "``", "\\", "&amp;", "&#124;"],
    *["*", "**", "_", "__", "~~", "[x](http://e.example)", "![i](x.png)", "[x]: http://e", "$x$"],
    *["\n", "\r\n", "\r", "\t", "\u2028", "\x00", "\x0b", "    ", "# ", "> ", "- ", "1. ", "---"],
]
HOSTILE = st.lists(
    st.sampled_from(FRAGMENTS) | st.text(st.characters(exclude_categories=("Cs",)), max_size=6),
    max_size=8,
).map("".join)


def spaced(value: str) -> str:
    """The value as a reader should see it: line breaks and control characters as spaces."""
    return re.sub(r"[\x00-\x1f\x7f\x85\u2028\u2029]", " ", value).replace(INVISIBLE, "")


def shown(value: str) -> str:
    """What a cell or a heading shows: Markdown trims the blanks at its ends."""
    return spaced(value).strip()


def blocks(markdown: str) -> tuple[list[str], list[list[list[str]]]]:
    """The headings' text, and each table's rows of cells' text, as a reader sees them; fails on
    HTML the library did not write, a code span, and a live mention or issue reference."""
    headings, tables, tokens = [], [], MARKDOWN.parse(markdown)
    for previous, token in pairwise([None, *tokens]):
        assert token.type != "html_block", f"an HTML block: {token.content!r}"
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append([])
        elif token.type == "inline":
            text = inline_text(token)
            if previous.type in ("td_open", "th_open"):
                tables[-1][-1].append(text)
            elif previous.type == "heading_open":
                headings.append(text)
    return headings, tables


def inline_text(token) -> str:
    text = ""
    for child in token.children:
        if child.type == "html_inline":
            assert child.content in OWN_HTML, f"raw HTML {child.content!r}"
        elif child.type == "text":
            text += child.content
        elif child.type == "code_inline":
            assert child.content in OWN_CODE, f"a code span {child.content!r}"
        else:
            assert child.type in ("strong_open", "strong_close", "softbreak"), child.type
    live = re.search(f"[@#](?!{INVISIBLE})", text)
    assert not live, f"a live mention or issue reference in {text!r}"
    return text.replace(INVISIBLE, "")


@settings(max_examples=300)
@given(HOSTILE)
def test_an_escaped_string_is_one_cells_text_in_markdown_and_in_html(value):
    text = escaped(value)
    assert not re.search(r"[<>|`\n\r]", text)
    _, tables = blocks(f"| a | b | c |\n| --- | --- | --- |\n| x | {text} | y |\n")
    assert tables == [[["a", "b", "c"], ["x", shown(value), "y"]]]
    assert html.unescape(text).replace(INVISIBLE, "") == spaced(value)  # as HTML shows it


result = st.builds(
    checks.Result,
    check=HOSTILE,
    column=st.none() | HOSTILE,
    observed=HOSTILE | st.floats(allow_nan=False) | st.sets(HOSTILE, max_size=3),
    bound=HOSTILE,
    passed=st.booleans(),
)


@settings(max_examples=50)
@given(st.lists(result, min_size=1, max_size=4), HOSTILE)
def test_a_check_report_keeps_its_table_whatever_the_data(results, title):
    headings, (table,) = blocks(checks.markdown(results, title))
    assert headings == [shown(title)]
    assert len(table) == len(results) + 1 and all(len(row) == 5 for row in table)
    by_result = sorted(results, key=lambda result: result.passed)
    assert [row[1:] for row in table[1:]] == [
        [shown(result.column or "(data set)"), shown(result.check)]
        + [shown(str(result.observed)), shown(result.bound)]
        for result in by_result
    ]


names = st.dictionaries(HOSTILE.filter(str.strip), HOSTILE, min_size=1, max_size=4)


@settings(max_examples=50)
@given(names, st.text(min_size=1, max_size=3))
def test_the_pr_reports_tables_keep_their_shape_whatever_the_names_and_values(base, suffix):
    new = {name: value + suffix for name, value in base.items()}
    _, (parameters,) = blocks("\n".join(pr_report.params_table(base, new)))
    assert len(parameters) == len(base) + 1 and all(len(row) == 3 for row in parameters)
    assert [row[0] for row in parameters[1:]] == [shown(name) for name in sorted(base)]
    numbers = {name: float(index) for index, name in enumerate(base)}
    _, (metrics,) = blocks("\n".join(pr_report.metrics_table(numbers, numbers)))
    assert all(len(row) == 4 for row in metrics)
    assert [row[0] for row in metrics[1:]] == [shown(name) for name in sorted(numbers)]


@settings(max_examples=50)
@given(HOSTILE, HOSTILE, st.lists(HOSTILE, min_size=1, max_size=3))
def test_the_review_apps_section_keeps_its_table_whatever_the_service_said(url, digest, details):
    checked = [smoke_checks.Check("GET /health", False, detail) for detail in details]
    headings, (table,) = blocks(smoke_checks.render(checked, url, digest))
    assert headings == ["Review app"] and all(len(row) == 3 for row in table)
    assert [row[2] for row in table[1:]] == [shown(detail) for detail in details]
