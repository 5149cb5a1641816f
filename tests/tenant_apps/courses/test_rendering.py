"""Text lessons: Markdown rendered to HTML that keeps formatting and drops anything active."""

from __future__ import annotations

import pytest

from tenant_apps.courses.rendering import markdown_to_html


def test_formatting_survives():
    source = "## Steps\n\n1. *one*\n2. `two`\n\n> quoted\n\n```\ncode <b>\n```\n"
    assert markdown_to_html(source) == (
        "<h2>Steps</h2>\n<ol>\n<li><em>one</em></li>\n<li><code>two</code></li>\n</ol>\n"
        "<blockquote>\n<p>quoted</p>\n</blockquote>\n<pre><code>code &lt;b&gt;\n</code></pre>"
    )


def test_tables_keep_only_their_alignment():
    html = markdown_to_html("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert '<th style="text-align:left">a</th>' in html
    assert '<td style="text-align:right">2</td>' in html


def test_links_get_rel_and_safe_schemes_only():
    assert markdown_to_html("[docs](https://example.com/a)") == (
        '<p><a href="https://example.com/a" rel="noopener noreferrer nofollow">docs</a></p>'
    )
    assert markdown_to_html("<mailto:help@example.com>").count('href="mailto:') == 1


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<script>alert(1)</script>", ""),
        ("hi <img src=x onerror=alert(1)>", '<p>hi <img src="x"></p>'),
        ("[x](javascript:alert(1))", '<p><a rel="noopener noreferrer nofollow">x</a></p>'),
        (
            '<a href="data:text/html,<script>">x</a>',
            '<p><a rel="noopener noreferrer nofollow">x</a></p>',
        ),
        ("<iframe src='https://evil.example'></iframe>", ""),
        ('<p style="position:fixed">x</p>', "<p>x</p>"),
        ("<!-- secret -->visible", "<p>visible</p>"),
        ("<svg onload=alert(1)><circle/></svg>", "<p></p>"),
        ('<form action="https://evil.example"><input name=p></form>', ""),
    ],
)
def test_active_content_is_removed(source, expected):
    assert markdown_to_html(source) == expected


def test_blank_source_renders_nothing():
    assert markdown_to_html("  \n ") == ""
