"""One escaping function for every data-derived string in the Markdown and HTML the library writes.

Column names, categories, class labels, parameter values, revisions and file names come from a
team's data and files, and the reports are read where Markdown may hold HTML (a pull request's
comment, an issue, the run report). Each character that opens Markdown or HTML syntax becomes a
numeric character reference, which both render as the character itself.
"""

import re

ZERO_WIDTH_SPACE = "&#8203;"
REFERENCES = {
    # Tags, comments and entities; table cells; code spans; backslash escapes; emphasis and
    # strikethrough; links and images; math.
    **{ord(character): f"&#{ord(character)};" for character in "<>&|`\\*~[]$"},
    # A mention or an issue reference, which would notify people or link the issue, until an
    # invisible space follows the sign.
    **{ord(character): f"{character}{ZERO_WIDTH_SPACE}" for character in "@#"},
    # Line breaks and other control characters, which would end a table row or a paragraph.
    **{code: " " for code in [*range(0x20), 0x7F, 0x85, 0x2028, 0x2029]},
}
# An underscore emphasises unless a letter or digit stands on each side (snake_case stays as is).
EMPHASIS_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")


def escaped(value: object) -> str:
    """str(value) as text that renders verbatim in Markdown and in HTML (not in an attribute)."""
    text = str(value).translate(REFERENCES)
    return EMPHASIS_UNDERSCORE.sub("&#95;", text)
