"""Split text into the structural units that subjects attach within.

A text becomes *blocks* (a paragraph, a list item, a table row, a heading line, a line of a
code block) and each block becomes *segments* (sentences; for a table row, its cells).
Every segment knows its block and its *context*: spans elsewhere in the text that say what
it is about, nearest first: for a table cell the column header and the row label, then for
everything the enclosing label line ("**Training time:**", "- Costs:") and the markdown
headings above it.

:func:`segment` is one pass over the lines; :meth:`Structure.scopes` returns, for a
character offset, the spans to search for a subject, innermost first. Nothing here raises
on odd input: unbalanced tables, stray pipes and empty text are all just lines.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

Span = tuple[int, int]

_HEADING = re.compile(r"[ \t]{0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_BOLD_LABEL = re.compile(r"[ \t]*(?:(?:[-*+•]|\d{1,3}[.)])[ \t]+)?\*\*([^*\n]{1,80}?)\*\*[ \t]*:?[ \t]*$")
# an item that starts with its own bold label: "- **Evaluation:** building a test set ..."
_INLINE_LABEL = re.compile(r"[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+\*\*([^*\n]{1,60}?)\*\*")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+")
_LABEL_LINE = re.compile(r"[ \t]*(?:(?:[-*+•]|\d{1,3}[.)])[ \t]+)?([^\n|]{1,60}?):[ \t]*\**[ \t]*$")
_TABLE_SEP = re.compile(r"[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")
_FENCE = re.compile(r"[ \t]*(?:```|~~~)")
# Sentence ends: . ! ? followed by space and not a known abbreviation or a list number.
# A match starts *at* the punctuation (so sre can skip to candidates with a charset test); the
# sentence break is one character later. Same breaks as
# r"(?<=[.!?])[\"')\]*]*[ \t]+(?=\S)|(?<=[;])[ \t]+(?=\S)" with the match starting after the mark.
_SENT_END = re.compile(r"[.!?;](?:(?<=[.!?])[\"')\]*]*)?[ \t]+(?=\S)")
_ABBREV = re.compile(
    r"(?i:\b(?:e\.g|i\.e|etc|vs|approx|est|ca|dr|mr|ms|no|fig|eq|incl|min|max|avg|resp|cf|al)\.|^\s*\d{1,3}\.|(?:^|\s)\d{1,2}\.)$"
)


@dataclass(slots=True)
class Segment:
    start: int
    end: int
    block: int  # index into Structure.blocks
    context: tuple[Span, ...] = ()  # nearest first


@dataclass(slots=True)
class Block:
    start: int
    end: int
    kind: str  # "paragraph" | "item" | "row" | "header_row" | "heading" | "code" | "label"
    context: tuple[Span, ...] = ()
    body: int = -1  # where sentence splitting starts (after a list marker); -1 = start
    segs: list[Segment] | None = None  # filled lazily for paragraphs and items


@dataclass(slots=True)
class Structure:
    text: str
    blocks: list[Block] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)

    def _segments(self, bi: int) -> list[Segment]:
        block = self.blocks[bi]
        if block.segs is None:
            a = block.start if block.body < 0 else block.body
            block.segs = [Segment(s, e, bi, block.context) for s, e in _split_sentences(self.text, a, block.end)]
        return block.segs

    @property
    def segments(self) -> list[Segment]:
        """Every segment (splits all blocks; for tests and debugging)."""
        return [seg for bi in range(len(self.blocks)) for seg in self._segments(bi)]

    def locate(self, pos: int) -> Segment | None:
        """The segment holding offset ``pos`` (the nearest one before it, if ``pos`` is between)."""
        if not self.blocks:
            return None
        bi = max(0, bisect.bisect_right(self._starts, pos) - 1)
        segs = self._segments(bi)
        if len(segs) == 1:
            return segs[0]
        best = segs[0]
        for seg in segs:
            if seg.start <= pos:
                best = seg
            else:
                break
        return best

    def layers(self, pos: int) -> tuple[Span, Span, tuple[Span, ...]] | None:
        """(segment span, block span, context spans) for offset ``pos``."""
        seg = self.locate(pos)
        if seg is None:
            return None
        block = self.blocks[seg.block]
        return (seg.start, seg.end), (block.start, block.end), seg.context

    def scopes(self, pos: int) -> list[Span]:
        """Spans to search for what the text at ``pos`` is about, innermost first:
        its sentence (or table cell), its block (paragraph, list item, table row), then the
        context spans (column header, row label, label line, headings)."""
        lay = self.layers(pos)
        if lay is None:
            return []
        seg, blk, ctx = lay
        out = [seg] if seg == blk else [seg, blk]
        out.extend(ctx)
        return out


def _cell_columns(line: str, offset: int) -> list[tuple[int, Span]]:
    """(column index, span) for each non-empty cell; columns count pipes, so empty cells keep
    later columns aligned with the header."""
    out: list[tuple[int, Span]] = []
    stripped = line.strip()
    lead = 1 if stripped.startswith("|") else 0
    positions = [i for i, ch in enumerate(line) if ch == "|"]
    bounds = [-1, *positions, len(line)]
    for col, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
        s, e = a + 1, b
        while s < e and line[s] in " \t":
            s += 1
        while e > s and line[e - 1] in " \t\r":
            e -= 1
        if s < e:
            out.append((col - lead, (offset + s, offset + e)))
    return out


def _split_sentences(text: str, start: int, end: int) -> list[Span]:
    spans: list[Span] = []
    s = start
    for m in _SENT_END.finditer(text, start - 1 if start else 0, end):
        ms = m.start() + 1  # the break, right after the punctuation
        if text[ms - 1] == ".":  # every _ABBREV alternative ends with "."
            head = text[max(s, ms - 12) : ms].rstrip("\"')]*")
            if _ABBREV.search(head):
                continue
        if ms > s:
            spans.append((s, ms))
        s = m.end()
    if s < end:
        spans.append((s, end))
    return spans or [(start, end)]


def segment(text: str) -> Structure:
    """Split ``text`` into blocks (see the module docstring); sentences are split lazily."""
    st = Structure(text)
    blocks = st.blocks
    headings: list[tuple[int, Span]] = []  # (level, span of heading text)
    label: Span | None = None  # "**Training time:**" or "- Costs:" context
    table_header: dict[int, Span] = {}
    table_active = False
    in_code = False
    para_start = -1
    para_end = -1
    ctx_cache: tuple[Span, ...] | None = ()

    def heading_context() -> tuple[Span, ...]:
        ctx = [label] if label else []
        ctx.extend(span for _, span in reversed(headings))
        return tuple(ctx)

    n = len(text)
    lines: list[tuple[int, int]] = []
    pos = 0
    while pos <= n:
        nl = text.find("\n", pos)
        if nl < 0:
            nl = n
        lines.append((pos, nl))
        pos = nl + 1

    for idx, (ls, le) in enumerate(lines):
        line = text[ls:le]
        stripped = line.strip()
        first = stripped[:1]
        if not stripped:
            if para_start >= 0:
                blocks.append(Block(para_start, para_end, "paragraph", ctx_cache))
                para_start = -1
                label = None
            elif label is not None and blocks and blocks[-1].kind != "label":
                label = None  # a label reaches over the items right after it, up to a blank line
            table_active = False
            continue
        if first in "`~" and _FENCE.match(line):
            if para_start >= 0:
                blocks.append(Block(para_start, para_end, "paragraph", ctx_cache))
                para_start = -1
                label = None
            in_code = not in_code
            table_active = False
            continue
        if in_code:
            blocks.append(Block(ls, le, "code", heading_context()))
            continue
        structural = first in "#|*-+•" or first.isdigit() or "|" in stripped or stripped[-1] == ":" or stripped.endswith("**")
        if not structural:
            if para_start < 0:
                para_start = ls
                ctx_cache = heading_context()
            para_end = le
            table_active = False
            continue
        if para_start >= 0:
            blocks.append(Block(para_start, para_end, "paragraph", ctx_cache))
            para_start = -1
            label = None
        if first == "#":
            m = _HEADING.match(line)
            if m:
                table_active = False
                level = len(m.group(1))
                while headings and headings[-1][0] >= level:
                    headings.pop()
                label = None
                hs, he = ls + m.start(2), ls + m.end(2)
                blocks.append(Block(ls, le, "heading", heading_context(), hs))
                headings.append((level, (hs, he)))
                continue
        if "|" in stripped and (first == "|" or stripped.count("|") >= 2):
            if _TABLE_SEP.match(line):
                continue
            nxt = lines[idx + 1] if idx + 1 < len(lines) else None
            is_header = not table_active and nxt is not None and bool(_TABLE_SEP.match(text, nxt[0], nxt[1]))
            cols = _cell_columns(line, ls)
            base = heading_context()
            bi = len(blocks)
            if is_header:
                table_header = {c: span for c, span in cols}
                table_active = True
                block = Block(ls, le, "header_row", base)
                block.segs = [Segment(span[0], span[1], bi, base) for _, span in cols] or [Segment(ls, le, bi, base)]
                blocks.append(block)
                continue
            if not table_active:
                table_header = {}
                table_active = True
            block = Block(ls, le, "row", base)
            row_label = cols[0][1] if cols else None
            segs = []
            for c, span in cols:
                ctx: list[Span] = []
                header = table_header.get(c)
                if header:
                    ctx.append(header)
                if row_label and row_label != span:
                    ctx.append(row_label)
                ctx.extend(base)
                segs.append(Segment(span[0], span[1], bi, tuple(ctx)))
            block.segs = segs or [Segment(ls, le, bi, base)]
            blocks.append(block)
            continue
        table_active = False
        bm = _BOLD_LABEL.match(line) if stripped.endswith(("**", "**:", ":**", ":")) else None
        lm = _LABEL_LINE.match(line) if not bm and stripped[-1] == ":" else None
        if bm or lm:
            blocks.append(Block(ls, le, "label", heading_context()))
            g = bm or lm
            label = (ls + g.start(1), ls + g.end(1))
            continue
        im = _LIST_ITEM.match(line)
        if im:
            own = _INLINE_LABEL.match(line)
            ctx = ((ls + own.start(1), ls + own.end(1)),) + heading_context() if own else heading_context()
            blocks.append(Block(ls, le, "item", ctx, ls + im.end()))
            continue
        # a plain line that merely contains a structural character
        if para_start < 0:
            para_start = ls
            ctx_cache = heading_context()
        para_end = le
    if para_start >= 0:
        blocks.append(Block(para_start, para_end, "paragraph", ctx_cache))
    st._starts = [b.start for b in blocks]
    return st


_RECENT: dict[str, Structure] = {}


def segment_recent(text: str) -> Structure:
    """:func:`segment`, remembered for the last few texts: extraction and claim checking read the
    same record's texts one after the other."""
    st = _RECENT.get(text)
    if st is None:
        if len(_RECENT) >= 16:
            _RECENT.clear()
        st = _RECENT[text] = segment(text)
    return st
