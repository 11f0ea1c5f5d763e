"""The demo region: 云溪市 and its county and department websites (fictional).

Each site is pure data (see :mod:`inspector.demo.spec`); ages are days before
``as_of``. The comments give the planted problems and the expected counts;
:mod:`inspector.demo.truth` computes the exact truth from these specs.
"""

from __future__ import annotations

from dataclasses import replace

from inspector.demo.spec import (
    CLOSED,
    HANG,
    Attachment,
    Column,
    DemoSiteSpec,
    Guide,
    Item,
    Message,
    OnlineSystem,
    Plant,
    RegistryOnly,
    Style,
)

NEWS = (
    "{p}召开经济运行调度会", "{p}部署冬季安全生产工作", "{p}开展优化营商环境专项督查",
    "{p}重点项目集中开工", "{p}推进农村人居环境整治提升", "{p}召开防汛抗旱工作总结会",
    "{p}启动食品安全宣传周活动", "{p}组织开展消防应急演练", "{p}召开政府常务会议",
    "{p}调研乡村振兴重点项目建设", "{p}举办就业招聘服务活动", "{p}开展秋冬季森林防火检查",
    "{p}推进数字政府建设工作", "{p}召开民生实事项目推进会", "{p}开展双随机一公开联合检查",
    "{p}召开河湖长制工作会议", "{p}举办安全生产月知识竞赛", "{p}开展扫黑除恶专项斗争宣传",
)
NOTICES = (
    "关于做好冬季安全生产工作的通知", "关于调整部分公交线路的公告", "关于印发政务公开工作要点的通知",
    "关于规范行政执法公示工作的通知", "关于开展打击非法集资宣传活动的通知", "关于城区部分路段停水检修的公告",
    "关于公布行政许可事项清单的通知", "关于开展安全隐患排查整治的通知", "关于进一步加强城市管理的通知",
)
PERSONNEL = (
    "关于张伟等同志职务任免的通知", "公开招聘事业单位工作人员拟聘用人员名单", "关于刘芳同志任职的通知",
    "公务员考试录用拟录用人员名单", "国民经济和社会发展第十四个五年规划中期评估报告", "年度工作要点",
)
SOLICIT = (
    "关于《城市绿化管理办法（征求意见稿）》公开征求意见", "民生实事项目网上调查", "关于停车收费标准调整的意见征集",
    "城市公园建设问卷调查", "关于养犬管理规定的意见征集", "老旧小区改造意见征集",
    "公共交通服务满意度调查", "关于营商环境评价的问卷调查",
)
INTERVIEWS = (
    "优化营商环境在线访谈", "医保政策解读在线访谈", "就业创业政策在线访谈", "城市管理工作在线访谈",
    "教育惠民政策在线访谈", "安全生产专题在线访谈", "生态环境保护在线访谈",
)
LETTERS = (
    ("小区路灯损坏何时维修", 3), ("咨询新生儿医保办理流程", 3), ("反映道路积水问题", 3),
    ("咨询公积金提取条件", 3), ("建议增设公交站点", 3), ("反映农贸市场占道经营", 3),
)


def arts(pool: tuple[str, ...], ages: list[int | None], place: str = "", start: int = 0) -> tuple[Item, ...]:
    """Articles titled from a pool (in order) with the given ages."""
    return tuple(Item(pool[(start + i) % len(pool)].format(p=place), a) for i, a in enumerate(ages))


def letters(spec: list[tuple[int, int | None]], unit: str) -> tuple[Message, ...]:
    """Messages (asked age, replied age) titled from a pool."""
    return tuple(Message(LETTERS[i % len(LETTERS)][0], asked, replied, unit) for i, (asked, replied) in enumerate(spec))


def with_item(items: tuple[Item, ...], index: int, **changes: object) -> tuple[Item, ...]:
    """A copy of ``items`` with one item changed."""
    out = list(items)
    out[index] = replace(out[index], **changes)  # type: ignore[arg-type]
    return tuple(out)


COMPLETE_GUIDES = (Guide("居民身份证换领", "table"), Guide("社会团体成立登记", "dl"), Guide("建设工程规划许可", "sections"))

# --------------------------------------------------------------------------- 1. healthy city portal

YUNXI = DemoSiteSpec(
    code="5399000001", name="云溪市人民政府", level="市级", region="云溪市",
    sponsor="云溪市人民政府办公室", supervisor="云溪市人民政府", icp="滇ICP备99000001号",
    problems="无：健康的市级门户，全部指标通过（头条与列表重复的稿件只计一次；含本地干部李强华、王强等人名，不应报错）",
    style=Style(listing="ul", date_fmt="iso", theme="portal"),
    headline=True,
    home_plants=(Plant("a", "/xwzx/gzdt/#list", "更多工作动态"),),
    friends=("5399210001", "5399220001", "5399020001", "5399000012", "5399000013", "5399000014", "5399000015"),
    columns=(
        Column("工作动态", "xwzx/gzdt", "news", home=8,
               items=with_item(arts(NEWS, [0, 1, 2, 3, 5, 6, 8, 10, 15, 22], "云溪市"), 1,
                               body="副市长李强华出席会议并讲话，市政府秘书长王强主持会议。")),
        Column("部门动态", "xwzx/bmdt", "news", home=5, items=arts(NEWS, [1, 4, 7, 12, 20, 30], "市", 10)),
        Column("区县动态", "xwzx/qxdt", "news", items=arts(NEWS, [2, 9, 16], "桐江县", 5)),
        Column("通知公告", "zwgk/tzgg", "notice", "政务公开", home=5, items=arts(NOTICES, [2, 30, 60, 90, 150])),
        Column("政策文件", "zwgk/zcwj", "notice", "政务公开",
               items=with_item(arts(NOTICES, [15, 80, 170], start=5), 0, attachments=(
                   Attachment("zcjd.pdf", "附件1：政策解读.pdf"), Attachment("ssxz.docx", "附件2：实施细则.docx")))),
        Column("人事信息", "zwgk/rsxx", "personnel", "政务公开", items=with_item(
            arts(PERSONNEL, [20, 200]), 0, body="经研究，决定王强同志任云溪市交通运输局局长。")),
        Column("规划计划", "zwgk/ghjh", "personnel", "政务公开", items=arts(PERSONNEL, [40, 300], start=4)),
        Column("市长信箱", "hdjl/szxx", "consultation", "互动交流", home=3,
               messages=letters([(3, 1), (8, 5), (20, 12), (45, 40), (100, 95), (200, 190)], "云溪市人民政府办公室")),
        Column("意见征集", "hdjl/yjzj", "solicitation", "互动交流",
               items=arts(SOLICIT, [5, 40, 80, 120, 180, 250, 330, 400])),
        Column("在线访谈", "hdjl/zxft", "interview", "互动交流",
               items=arts(INTERVIEWS, [10, 60, 110, 170, 230, 300, 380])),
        Column("办事指南", "zwfw/bszn", "service", "政务服务", guides=COMPLETE_GUIDES),
        Column("表格下载", "zwfw/bgxz", "service", "政务服务", files=(
            Attachment("sqb.pdf", "行政许可申请书.pdf"), Attachment("dzb.doc", "信息公开申请表.doc"),
            Attachment("tjb.xls", "项目统计表.xls"), Attachment("cns.docx", "告知承诺书.docx"),
            Attachment("sms.wps", "情况说明.wps"), Attachment("clqd.zip", "申报材料清单.zip"))),
        Column("网上办事", "zwfw/wsbs", "service", "政务服务", systems=(
            OnlineSystem("云溪市网上办事大厅", "/wsbs/dt.html"), OnlineSystem("不动产登记查询系统", "/cxxt/bdc.html"),
            OnlineSystem("企业在线申报", "/zxsb/index.html"))),
        Column("学习贯彻党的二十大精神专题", "ztzl/xxgc", None, "专题专栏", exempt=True,
               items=(Item("全市干部群众深入学习贯彻习近平总书记重要讲话精神", 400),
                      Item("专题学习辅导报告会举行", 500))),
    ),
)

# --------------------------------------------------------------------------- 2. GBK county site, late replies

TONGJIANG = DemoSiteSpec(
    code="5399210001", name="桐江县人民政府", level="县级", region="云溪市桐江县",
    sponsor="桐江县人民政府办公室", supervisor="桐江县人民政府", icp="滇ICP备99000021号",
    problems=("GBK 编码（仅 <meta http-equiv> 声明，响应头无 charset），表格列表、日期在前 [YYYY-MM-DD]；"
              "县长信箱一条留言 120 天后才回复、一条 130 天未回复（互动回应差否决）；90 天未回复的一条恰在边界不算超期；"
              "网上信访中的超期信件应排除；征求意见仅 3 次；在线访谈一年内无"),
    style=Style(listing="table", date_fmt="bracket", date_first=True, encoding="gbk", theme="classic"),
    friends=("5399000001",),
    columns=(
        Column("政务要闻", "xwzx/zwyw", "news", home=7, items=arts(NEWS, [0, 2, 3, 6, 9, 13, 14, 18], "桐江县")),
        Column("乡镇动态", "xwzx/xzdt", "news", home=5, items=arts(NEWS, [1, 5, 11, 25], "城关镇", 8)),
        Column("通知公告", "xxgk/tzgg", "notice", "信息公开", home=5, items=arts(NOTICES, [4, 33, 70, 120], start=2)),
        Column("政府文件", "xxgk/zfwj", "notice", "信息公开", items=arts(NOTICES, [60, 175], start=6)),
        Column("人事任免", "xxgk/rsrm", "personnel", "信息公开", items=arts(PERSONNEL, [100])),
        Column("县长信箱", "hdjl/xzxx", "consultation", "互动交流", messages=(
            Message("反映某路段路灯长期不亮", 200, 80, "桐江县住房和城乡建设局"),
            Message("咨询农村低保申请条件", 130, None),
            Message("学校周边交通拥堵问题", 90, None),
            Message("咨询社保卡补办", 30, 27, "桐江县人力资源和社会保障局"),
            Message("反映小区噪音扰民", 400, 395, "桐江县生态环境分局"))),
        Column("网上信访", "hdjl/wsxf", "excluded", "互动交流", messages=(Message("反映征地补偿问题", 220, None),)),
        Column("征求意见", "hdjl/zqyj", "solicitation", "互动交流", items=arts(SOLICIT, [20, 150, 300], start=1)),
        Column("在线访谈", "hdjl/zxft", "interview", "互动交流", items=arts(INTERVIEWS, [400, 500], start=2)),
        Column("办事指南", "bmfw/bszn", "service", "便民服务",
               guides=(Guide("城乡居民养老保险参保登记", "table"), Guide("农村宅基地审批", "table"))),
    ),
)

# --------------------------------------------------------------------------- 3. year-less dates, serious error

BAISHI = DemoSiteSpec(
    code="5399220001", name="白石县人民政府", level="县级", region="云溪市白石县",
    sponsor="白石县人民政府办公室", supervisor="白石县人民政府", icp="滇ICP备99000022号",
    problems=("列表日期无年份 (11-18) / 11-18（取不晚于监测日的最近日期），文章 URL 不含日期；"
              "一篇文章把“习近平总书记”错写为“习进平总书记”（严重错误候选，待人工确认）；"
              "本地干部李强华不应报错；乡镇动态超过 14 天未更新、工作总结超过 365 天；"
              "两份办事指南缺要素或要素为空；首页 14 天内稿件不足 10 条"),
    style=Style(listing="dl", date_fmt="paren_mmdd", url_dates=False, theme="plain"),
    columns=(
        Column("政务要闻", "xwzx/zwyw", "news", home=6, items=with_item(with_item(
            arts(NEWS, [1, 3, 4, 7, 10, 12, 30], "白石县", 3), 1,
            title="白石县召开县委理论学习中心组学习会",
            body="会议强调，要深入学习贯彻习进平总书记重要讲话精神，推动各项工作落地见效。",
            typo=("习进平总书记", "习近平总书记")), 3,
            body="会议要求，认真学习习近平总书记关于安全生产的重要论述。")),
        Column("乡镇动态", "xwzx/xzdt", "news", home=4, date_fmt="mmdd", items=arts(NEWS, [40, 55, 70, 90], "石门镇", 6)),
        Column("公示公告", "xxgk/gsgg", "notice", "信息公开", home=4, date_fmt="mmdd",
               items=arts(NOTICES, [5, 60, 100, 200], start=4)),
        Column("人事信息", "xxgk/rsxx", "personnel", "信息公开", date_fmt="cn", items=(
            Item("关于李强华等同志职务任免的通知", 30, body="经县人民政府研究，决定李强华同志任白石县发展和改革局局长。"),
            Item("公开招聘事业单位工作人员拟聘用人员名单", 420))),
        Column("工作总结", "xxgk/gzzj", "personnel", "信息公开", date_fmt="cn", items=arts(PERSONNEL, [380, 700], start=5)),
        Column("县长信箱", "hdjl/xzxx", "consultation", "互动交流",
               messages=letters([(10, 6), (50, 44), (150, 140)], "白石县人民政府办公室")),
        Column("网上调查", "hdjl/wsdc", "solicitation", "互动交流", items=arts(SOLICIT, [30, 200], start=3)),
        Column("在线访谈", "hdjl/zxft", "interview", "互动交流", items=arts(INTERVIEWS, [60, 150, 250, 290], start=1)),
        Column("办事指南", "zwfw/bszn", "service", "政务服务", guides=(
            Guide("户籍迁移", "sections"),
            Guide("个体工商户设立登记", "table", missing=("设定依据", "办理时间")),
            Guide("农村村民建房审批", "dl", missing=("办理流程",), empty=("联系电话",)))),
    ),
)

# --------------------------------------------------------------------------- 4. navigation-only department site

JIAOTONG = DemoSiteSpec(
    code="5399000012", name="云溪市交通运输局", level="部门", region="云溪市",
    sponsor="云溪市交通运输局", supervisor="云溪市人民政府", icp="滇ICP备99000012号",
    problems=("首页仅为导航入口（无日期内容，按二级栏目判断更新）；日期格式 2026年11月18日，政策文件仅在 URL 中带日期；"
              "附件：一个 404、一个返回 200 的 HTML 错误页、一个 0 字节；网上申报系统无法访问；"
              "无政务咨询、调查征集、在线访谈栏目；两个通知类栏目超 180 天、人事信息超 365 天未更新；"
              "扣分超过 40 分，不合格（无否决项）"),
    style=Style(listing="div", date_fmt="cn", theme="portal"),
    nav_only=True,
    home_systems=(OnlineSystem("网上申报系统", CLOSED + "/sbxt/"), OnlineSystem("路政许可查询系统", "/cxxt/index.html")),
    columns=(
        Column("工作动态", "jtdt/gzdt", "news", items=arts(NEWS, [2, 5, 9, 13, 30], "市交通运输局", 11)),
        Column("通知公告", "jtdt/tzgg", "notice", "信息公开", items=with_item(
            arts(NOTICES, [7, 200, 260], start=1), 0, attachments=(
                Attachment("sqb.pdf", "附件1：申请表.pdf"), Attachment("cns.doc", "附件2：承诺书.doc", "404"),
                Attachment("tjb.xls", "附件3：统计表.xls", "html200"),
                Attachment("djb.docx", "附件4：登记表.docx", "empty"),
                Attachment("sm.wps", "附件5：填报说明.wps"), Attachment("clqd.zip", "附件6：材料清单.zip")))),
        Column("政策文件", "jtdt/zcwj", "notice", "信息公开", date_fmt="url_only", items=arts(NOTICES, [12, 190], start=3)),
        Column("规范性文件", "jtdt/gfxwj", "notice", "信息公开", items=arts(NOTICES, [220, 300], start=5)),
        Column("部门文件", "jtdt/bmwj", "notice", "信息公开", items=arts(NOTICES, [190, 400], start=7)),
        Column("人事信息", "jtdt/rsxx", "personnel", "信息公开", items=arts(PERSONNEL, [380], start=2)),
        Column("规划计划", "jtdt/ghjh", "personnel", "信息公开", items=arts(PERSONNEL, [100], start=4)),
    ),
)

# --------------------------------------------------------------------------- 5. stale and blank columns

XIDONG = DemoSiteSpec(
    code="5399020001", name="云溪市溪东区人民政府", level="县级", region="云溪市溪东区",
    sponsor="溪东区人民政府办公室", supervisor="溪东区人民政府", icp="滇ICP备99000002号",
    problems=("栏目不更新否决：3 个动态类栏目超 14 天、2 个通知类栏目超 180 天（合计 5）；"
              "人事信息超 365 天、工作计划的条目没有日期（都算未更新）；3 个空白栏目（暂无信息 / 正在建设中 / 空列表）；"
              "专题栏目陈旧但豁免；无调查征集、在线访谈；日期格式 2026-1-8，日期在标题前"),
    style=Style(listing="ul", date_fmt="iso_nopad", date_first=True, theme="portal"),
    columns=(
        Column("政务动态", "xwzx/zwdt", "news", home=6, items=arts(NEWS, [1, 3, 6, 9, 16, 25], "溪东区", 2)),
        Column("部门动态", "xwzx/bmdt", "news", items=arts(NEWS, [30, 45], "区", 7)),
        Column("乡镇动态", "xwzx/xzdt", "news", items=arts(NEWS, [60, 90], "东湖街道", 9)),
        Column("图片新闻", "xwzx/tpxw", "news", items=arts(NEWS, [20], "溪东区", 13)),
        Column("通知公告", "xxgk/tzgg", "notice", "信息公开", home=4, items=arts(NOTICES, [10, 50, 100, 170], start=3)),
        Column("政策文件", "xxgk/zcwj", "notice", "信息公开", items=arts(NOTICES, [200, 260], start=1)),
        Column("规范性文件", "xxgk/gfxwj", "notice", "信息公开", items=arts(NOTICES, [400], start=8)),
        Column("人事信息", "xxgk/rsxx", "personnel", "信息公开", items=arts(PERSONNEL, [400, 500])),
        Column("工作计划", "xxgk/gzjh", "personnel", "信息公开", items=arts(PERSONNEL, [None, None], start=4)),
        Column("公示公告", "xxgk/gsgg", "notice", "信息公开", placeholder="暂无信息"),
        Column("招录信息", "xxgk/zlxx", "personnel", "信息公开", placeholder="正在建设中"),
        Column("政府文件", "xxgk/zfwj", "notice", "信息公开", placeholder=""),
        Column("区长信箱", "hdjl/qzxx", "consultation", "互动交流",
               messages=letters([(5, 2), (60, 55)], "溪东区人民政府办公室")),
        Column("脱贫攻坚专题", "ztzl/tpgj", None, "专题专栏", exempt=True,
               items=(Item("脱贫攻坚成果展示", 600), Item("驻村帮扶工作纪实", 700))),
    ),
)

# --------------------------------------------------------------------------- 6. homepage not updated

YINGJI = DemoSiteSpec(
    code="5399000013", name="云溪市应急管理局", level="部门", region="云溪市",
    sponsor="云溪市应急管理局", supervisor="云溪市人民政府", icp="滇ICP备99000013号",
    problems=("网站不更新否决：首页最新稿件在 20 天前；工作动态栏目超 14 天；局长信箱一年内无留言；"
              "无调查征集、在线访谈；日期格式 2026/11/18，日期在标题前，div 列表"),
    style=Style(listing="div", date_fmt="slash", date_first=True, theme="plain"),
    columns=(
        Column("工作动态", "yjdt/gzdt", "news", home=6, items=arts(NEWS, [20, 24, 31, 40, 52, 66, 80], "市应急管理局", 1)),
        Column("通知公告", "yjdt/tzgg", "notice", "信息公开", home=4, items=arts(NOTICES, [45, 90, 130, 210], start=7)),
        Column("人事信息", "yjdt/rsxx", "personnel", "信息公开", items=arts(PERSONNEL, [150], start=1)),
        Column("局长信箱", "hdjl/jzxx", "consultation", "互动交流",
               messages=letters([(400, 398)], "云溪市应急管理局办公室")),
        Column("办事指南", "zwfw/bszn", "service", "政务服务", guides=(Guide("危险化学品经营许可", "table"),)),
    ),
)

# --------------------------------------------------------------------------- 7. broken links of every kind

WEIJIAN = DemoSiteSpec(
    code="5399000014", name="云溪市卫生健康委员会", level="部门", region="云溪市",
    sponsor="云溪市卫生健康委员会", supervisor="云溪市人民政府", icp="滇ICP备99000014号",
    problems=("各类错链：首页 6 个（每页都引用的失效样式表与横幅图片只按首页计一次、失效脚本、站内 404 页面、"
              "连接被拒绝的外链、跳转到 404 的链接）；其他页面 5 个（500 错误、404 附件、站内 404、失效 iframe、"
              "永不应答的外链=超时）；首页 14 天内恰好 10 条（含第 14 天边界）"),
    style=Style(listing="table", date_fmt="iso", theme="classic"),
    chrome_plants=(Plant("link", "/templates/style/print.css"), Plant("img", "/templates/images/banner_2025.jpg", "横幅")),
    home_plants=(Plant("script", "/templates/js/stat.js"), Plant("a", "/xwzx/zt2019/index.html", "2019年专题"),
                 Plant("a", CLOSED + "/", "原卫生局网站"), Plant("a", "/old/notice.html", "旧版通知公告")),
    about_plants=(Plant("a", HANG + "/api/weather", "天气预报"),),
    redirects=(("/old/notice.html", "/xxgk/tzgg/missing.html"),),
    errors=(("/cms/download.jsp", 500),),
    columns=(
        Column("卫健动态", "xwzx/wjdt", "news", home=8, items=arts(NEWS, [0, 1, 3, 5, 8, 11, 13, 14, 20], "市卫生健康委", 4)),
        Column("通知公告", "xxgk/tzgg", "notice", "信息公开", home=5, items=with_item(with_item(
            arts(NOTICES, [2, 6, 40, 90, 150], start=4), 1,
            attachments=(Attachment("ypml.pdf", "附件：药品采购目录.pdf", "404"),)), 2,
            plants=(Plant("a", "/cms/download.jsp?id=88", "点击下载"),))),
        Column("人事信息", "xxgk/rsxx", "personnel", "信息公开", items=arts(PERSONNEL, [60], start=3)),
        Column("政策文件", "xxgk/zcwj", "notice", "信息公开", items=arts(NOTICES, [100], start=2),
               plants=(Plant("a", "/xxgk/zcwj/2019/old_policy.html", "旧版政策文件"),)),
        Column("在线访谈", "hdjl/zxft", "interview", "互动交流", items=arts(INTERVIEWS, [30, 90, 150, 200, 260, 320]),
               plants=(Plant("iframe", "/zhibo/player.html"),)),
        Column("意见征集", "hdjl/yjzj", "solicitation", "互动交流",
               items=arts(SOLICIT, [15, 70, 130, 190, 250, 310], start=2)),
        Column("领导信箱", "hdjl/ldxx", "consultation", "互动交流",
               messages=letters([(4, 1), (33, 30), (120, 110)], "云溪市卫生健康委员会办公室")),
        Column("办事指南", "zwfw/bszn", "service", "政务服务",
               guides=(Guide("医疗机构执业登记", "table"), Guide("母婴保健技术服务许可", "sections"))),
    ),
)

# --------------------------------------------------------------------------- 8. JavaScript-built homepage list

ZIRAN = DemoSiteSpec(
    code="5399000015", name="云溪市自然资源和规划局", level="部门", region="云溪市",
    sponsor="云溪市自然资源和规划局", supervisor="云溪市人民政府", icp="滇ICP备99000015号",
    problems=("首页“工作动态”列表由 JavaScript 生成（静态 HTML 为空 <ul>）：有浏览器时合格，"
              "无浏览器时网站不更新/首页栏目应为 review；意见征集 3 次、在线访谈 5 次（第 365 天计入、第 366 天不计）"),
    style=Style(listing="ul", date_fmt="iso", theme="portal"),
    js_column="zrdt/gzdt",
    columns=(
        Column("工作动态", "zrdt/gzdt", "news", home=10, items=arts(NEWS, [0, 1, 2, 4, 5, 7, 8, 10, 12, 13, 16], "市自然资源局", 6)),
        Column("通知公告", "zrdt/tzgg", "notice", "信息公开", home=4, items=arts(NOTICES, [30, 60, 95, 140], start=5)),
        Column("规划计划", "xxgk/ghjh", "personnel", "信息公开", items=arts(PERSONNEL, [50, 250], start=4)),
        Column("局长信箱", "hdjl/jzxx", "consultation", "互动交流",
               messages=letters([(2, 1), (70, 60)], "云溪市自然资源和规划局办公室")),
        Column("意见征集", "hdjl/yjzj", "solicitation", "互动交流", items=arts(SOLICIT, [20, 100, 200], start=4)),
        Column("在线访谈", "hdjl/zxft", "interview", "互动交流", items=arts(INTERVIEWS, [45, 140, 230, 330, 365, 366], start=3)),
        Column("办事指南", "zwfw/bszn", "service", "政务服务", guides=(Guide("建设用地规划许可", "dl"),)),
    ),
)

# --------------------------------------------------------------------------- 9. a site that is down

TONGJI = DemoSiteSpec(
    code="5399000016", name="云溪市统计局", level="部门", region="云溪市",
    sponsor="云溪市统计局", supervisor="云溪市人民政府", icp="滇ICP备99000016号",
    problems="站点无法访问：首页地址指向拒绝连接的端口，所有探测失败（站点无法访问否决）",
    down=True,
)

SITES: list[DemoSiteSpec] = [YUNXI, TONGJIANG, BAISHI, JIAOTONG, XIDONG, YINGJI, WEIJIAN, ZIRAN, TONGJI]

REGISTRY_ONLY: list[RegistryOnly] = [
    RegistryOnly("5399000017", "云溪市粮食局", "部门", "云溪市", "云溪市粮食局", "云溪市人民政府",
                 "滇ICP备99000017号", "永久下线", "/lsj/"),
    RegistryOnly("5399230001", "青禾县人民政府", "县级", "云溪市青禾县", "青禾县人民政府办公室", "青禾县人民政府",
                 "滇ICP备99000023号", "正常运行", "/qhx/"),
    RegistryOnly("5399000018", "云溪市教育体育局", "部门", "云溪市", "云溪市教育体育局", "云溪市人民政府",
                 "滇ICP备99000018号", "正常运行", "/jtj/"),
]


def site_by_code(code: str) -> DemoSiteSpec:
    """The served (or down) site with that 网站标识码."""
    for spec in SITES:
        if spec.code == code:
            return spec
    raise KeyError(code)
