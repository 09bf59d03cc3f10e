"""Structural segmentation: sentences, list items, tables with headers, heading context."""

from reality.validators.structure import segment


def spans(st, text):
    return [text[s.start : s.end] for s in st.segments]


def test_sentences_and_items():
    text = "First sentence here. Second one is e.g. longer.\n\n- item one. item two\n1. numbered"
    st = segment(text)
    assert spans(st, text) == ["First sentence here.", "Second one is e.g. longer.", "item one.", "item two", "numbered"]


def test_decimal_and_list_number_do_not_split():
    text = "It takes 1.5 hours. Then 2.5 more."
    assert spans(segment(text), text) == ["It takes 1.5 hours.", "Then 2.5 more."]


def test_table_cells_get_header_and_row_label():
    text = "| GPU | Price |\n|---|---|\n| A100 | $2 |\n"
    st = segment(text)
    pos = text.index("$2")
    seg, blk, ctx = st.layers(pos)
    assert text[seg[0] : seg[1]] == "$2"
    assert [text[a:b] for a, b in ctx] == ["Price", "A100"]
    assert st.blocks[st.locate(pos).block].kind == "row"


def test_headings_and_labels_give_context():
    text = "# Plan\n## Training time\n- 2-4 hours\n**Cost:**\n- $30\n\nA paragraph.\n"
    st = segment(text)
    ctx = [text[a:b] for a, b in st.layers(text.index("2-4"))[2]]
    assert ctx == ["Training time", "Plan"]
    ctx = [text[a:b] for a, b in st.layers(text.index("$30"))[2]]
    assert ctx[0] == "Cost:" or ctx[0] == "Cost"
    # a label does not reach past the first paragraph after it
    ctx = [text[a:b] for a, b in st.layers(text.index("A paragraph"))[2]]
    assert "Cost" not in " ".join(ctx)


def test_code_fence_lines_are_their_own_blocks():
    text = "```\nmax_tokens = 2048\n```\nDone."
    st = segment(text)
    assert [b.kind for b in st.blocks] == ["code", "paragraph"]


def test_odd_input():
    for text in ["", "\n\n", "|", "||\n|-|", "#", "# ", "**", ":", "```"]:
        st = segment(text)
        for seg in st.segments:
            assert 0 <= seg.start <= seg.end <= len(text)
