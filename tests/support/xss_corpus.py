"""The XSS corpus staff-written content is tested with (Markdown bodies and titles): payloads and
the patterns none of them may leave in a page."""

from __future__ import annotations

import re

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<a href="javascript:alert(1)">点我</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "[点我](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "![x](javascript:alert(1))",
    '<div onclick="alert(1)">x</div>',
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<span style="background:url(javascript:alert(1))">x</span>',
    "<link rel=stylesheet href=//evil.example/x.css>",
    '<base href="https://evil.example/">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="https://ok.example" onmouseover="alert(1)">ok</a>',
    '<img src="https://ok.example/a.png" onload="alert(1)">',
    "<scr<script>ipt>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    "<template><script>alert(1)</script></template>",
    '<video><source onerror="alert(1)"></video>',
    "<marquee onstart=alert(1)>",
    "```\n<script>alert(1)</script>\n```",
]

FORBIDDEN = [
    re.compile(
        r"<\s*(script|iframe|object|embed|form|meta|style|link|base|svg|math|input|"
        r"body|details|video|source|marquee|template|noscript)\b",
        re.I,
    ),
    re.compile(r"\son[a-z]+\s*=", re.I),
    re.compile(r"(href|src|action)\s*=\s*\"\s*(javascript|vbscript|data):", re.I),
    re.compile(r"\sstyle\s*=", re.I),
]
