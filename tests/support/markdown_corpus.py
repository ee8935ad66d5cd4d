"""Markdown the site builder must render safely and the same way with either renderer.

``XSS_PAYLOADS``: what a staff member might paste, knowingly or not; none may reach
an owner's browser as script. ``CONSTRUCTS``: the CommonMark (+ tables,
strikethrough) a notice uses, and the corners where renderers tend to differ.
``notices(n)``: realistic generated notice bodies (greeting, lead, advice, a
table or a list, closing, signature), seeded.
"""

from __future__ import annotations

import random

from tests.support.xss_corpus import XSS_PAYLOADS

__all__ = ["CONSTRUCTS", "XSS_PAYLOADS", "notices"]

CONSTRUCTS = [
    "# 标题\n\n## 二级\n\n### 三级\n\n#### 四级",
    "标题\n===\n\n副标题\n---",
    "**加粗** *斜体* ***都有*** ~~删除~~ `代码` <u>下划线</u>",
    "尊敬的业主：**请于11月30日前**缴纳物业费。",
    "“引号”里的**加粗**，以及（括号）里的*斜体*。",
    "[链接](https://example.cn) [电话](tel:073188881234) [邮件](mailto:a@example.cn)",
    "[带标题](https://example.cn \"标题\") <https://example.cn/auto> <a@example.cn>",
    "![图片](https://example.cn/a.png \"说明\")",
    "[引用式][ref]\n\n[ref]: https://example.cn/ref",
    "- 一\n- 二\n  - 二点一\n  - 二点二\n- 三",
    "1. 第一\n2. 第二\n\n3) 另一列表",
    "5. 从五开始\n6. 六",
    "- [ ] 不是任务列表\n- [x] 也不是",
    "> 引用\n> 第二行\n>\n> > 嵌套",
    "```\n代码块 <b>不加粗</b>\n```\n\n    缩进代码",
    "```python\nprint('x')\n```",
    "| 日期 | 时间 | 范围 |\n| --- | :---: | ---: |\n| 11月1日 | 9:00 | 2栋 |\n| 11月2日 | 14:00 | 3栋 |",
    "| a | b |\n|---|---|\n| `|` | \\| |",
    "表格前一段\n\n| 只有表头 |\n| --- |",
    "第一行  \n第二行\\\n第三行",
    "---\n\n***\n\n___",
    "&amp; &copy; &#35; &#x4E2D; &nbsp;",
    "1 < 2 > 0 & \"quotes\" 'apostrophe'",
    "\\*不是斜体\\* \\# 不是标题",
    "<div>块级 HTML</div>\n\n<span>行内</span> HTML",
    "<!-- 注释 -->正文",
    "<table><tr><td>原始表格</td></tr></table>",
    "<b>粗</b><i>斜</i><sup>上</sup><sub>下</sub><del>删</del>",
    "<figure><img src=\"https://example.cn/x.png\" alt=\"x\"><figcaption>图注</figcaption></figure>",
    "段落\n- 列表打断段落\n\n段落\n1. 有序列表",
    "  缩进两格的段落\n\n\t制表符",
    "*未闭合的强调 **和加粗",
    "[未闭合的链接(https://example.cn",
    "<https://example.cn/?a=1&b=2>",
    "https://example.cn 不是自动链接",
    "中文，标点。**强调，**后面",
    "",
    "\n\n\n",
]


GREETINGS = ["尊敬的各位业主、住户：", "各位业主：您好！", "亲爱的业主朋友们："]
LEADS = [
    "因市政供水管网改造施工，2栋将于11月18日9:00至17:30暂停供水。",
    "为保障电梯安全运行，3栋电梯将于12月2日进行年度维保及安全检测。",
    "根据《物业服务合同》约定，2026年第4季度物业服务费缴费期为10月1日至10月31日。",
    "为提高全体业主的消防安全意识，物业服务中心定于11月11日在中心广场开展消防演练。",
]
ADVICE = [
    "请各位业主提前做好储水准备。",
    "停电期间电梯将暂停运行，请勿乘坐电梯。",
    "施工期间请勿在作业区域下方停留、停放车辆。",
    "逾期未缴将按合同约定收取滞纳金，敬请谅解。",
    "发现火情请立即拨打119，并通知物业服务中心。",
    "感谢各位业主长期以来对物业工作的理解与支持。",
]
CLOSINGS = [
    "如有疑问，请致电物业服务中心：**0731-8888-1200**（24小时）。",
    "给您带来的不便，敬请谅解！",
    "详情可咨询客服中心，电话 0731-8888-1200。",
]


def notices(n: int, seed: int = 20261122) -> list[str]:
    """``n`` realistic notice bodies, the same for the same seed."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = [rng.choice(GREETINGS), rng.choice(LEADS) + "".join(rng.sample(ADVICE, 2))]
        roll = rng.random()
        if roll < 0.3:
            rows = ["| 日期 | 时间 | 范围 |", "| --- | --- | --- |"]
            rows += [f"| 11月{d}日 | 9:00—17:30 | {d}栋 |" for d in range(1, rng.randint(3, 6))]
            parts.append("\n".join(rows))
        elif roll < 0.6:
            parts.append("温馨提示：\n\n" + "\n".join(f"- {a}" for a in rng.sample(ADVICE, 3)))
        elif roll < 0.7:
            parts.append("1. 关闭水阀\n2. 储备用水\n3. **注意安全**")
        parts.append(rng.choice(CLOSINGS))
        parts.append("兰亭苑物业服务中心  \n2026年11月18日")
        out.append("\n\n".join(parts) + "\n")
    return out
