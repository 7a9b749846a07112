/* SPDX-License-Identifier: AGPL-3.0-or-later */
// app.js — the shared part of kioskd's touch UI: i18n, the terminal token,
// the JSON API client, the self-healing WebSocket event client, the elder
// mode and a few DOM helpers. Plain JS, no build step. Every page loads
// /config.js (window.KIOSKD), this file, then its own script.
(function () {
  'use strict';

  const CFG = window.KIOSKD || { hall: '', zones: [], priority_reasons: [], timezone: 'Asia/Shanghai' };

  // ---- i18n: Chinese first, English switchable --------------------------
  const DICT = {
    zh: {
      'app.loading': '页面加载中…',
      'lang.button': 'English',
      'lang.aria': 'English（切换为英文）',
      'elder.label': '长辈模式',
      'elder.on': '长辈模式（已开启）',
      'conn.lost': '连接中断，正在重连…',
      'err.network': '网络异常，未能连接服务器，请重试',
      'err.token': '本终端的令牌无效或缺失，请联系管理员（请以 ?token=… 打开本页）',
      'k.printer.down': '本机打印机暂停服务，暂不能取号，请到导办台取号',
      'k.checkin.title': '预约签到',
      'w.qr.reason': '扫码叫号',
      'w.correction': '需补正',
      'w.correction.is': '需补正：{note}',
      'w.correction.clear': '取消补正',
      'w.correction.what': '需补正的内容',
      'w.correction.save': '保存',
      'staff.title': '工作人员登录',
      'staff.hint': '本终端需要工作人员登录后才能办理业务',
      'staff.id': '工号',
      'staff.pin': '密码',
      'staff.submit': '登录',
      'staff.out': '退出登录',
      'staff.who': '当前登录：{name}',
      'staff.wrong': '工号或密码错误',
      'err.forbidden': '本终端无权进行此操作',
      'err.server': '服务器出错，未做任何更改，请重试',
      'err.field': '{field}：{msg}',
      'err.notfound': '未找到',
      'err.conflict': '当前状态不允许此操作',
      'err.detail': '（{msg}）',
      'back': '返回',
      'retry': '重试',
      'title.kiosk': '自助取号',
      'title.guide': '导办台',
      'title.window': '窗口',
      'title.display': '叫号显示',
      'title.admin': '运行管理',
      'title.agent': '帮办代办',
      'title.status': '排队进度',
      'title.counter': '服务评价',
      'field.zone': '区域',
      'field.matter': '事项',
      'field.package': '事项',
      'field.id_number': '身份证号码',
      'field.submission.applicant.id_number': '身份证号码',
      'field.submission.applicant.name': '姓名',
      'field.submission.delivery': '领取方式',
      'field.submission.delivery.mode': '领取方式',
      'field.submission.delivery.recipient': '收件人',
      'field.submission.delivery.phone': '手机号码',
      'field.submission.delivery.address': '详细地址',
      'field.submission.delivery.postcode': '邮政编码',
      'field.priority_reason': '优先原因',
      'field.reason': '原因',
      'field.number': '号码',
      'field.window': '窗口',
      'field.level': '评价',
      'field.Idempotency-Key': '请求编号',
      'v.recipient': '请填写收件人姓名，最多 16 个字',
      'v.phone': '请填写 11 位手机号码（以 1 开头）',
      'v.address': '请填写详细地址',
      'v.postcode': '请填写 6 位数字的邮政编码',
      'v.number': '请填写号码，例如 A012',
      'v.reason': '请填写指定叫号的原因',
      'v.window': '请选择窗口',
      'v.zone': '请选择区域',
      'zone.waiting': '等待 {n} 人',
      'reason.elderly': '老年人',
      'reason.disabled': '残疾人',
      'reason.pregnant': '孕妇',
      'reason.military': '军人',
      'status.waiting': '等待中',
      'status.called': '已叫号，等待到窗',
      'status.serving': '办理中',
      'status.done': '已办结',
      'status.no_show': '已过号',
      'status.expired': '已过期',
      'status.void': '已作废',
      'result.accepted': '受理',
      'result.rejected': '不予受理',
      'result.consulted': '咨询',
      'result.served': '已办理',
      // kiosk
      'k.welcome': '请刷身份证',
      'k.welcome.hint': '请将身份证平放在下方读卡区，保持不动',
      'k.reader': '读卡区：身份证放在这里',
      'k.nocard': '无身份证取号',
      'k.hello': '您好，{name}',
      'k.idline': '证件号码：{id}',
      'k.pick': '请选择办事区域，或按拼音首字母查找事项',
      'k.pick.nocard': '未刷身份证：可取号，但不预填申请信息',
      'k.zones': '办事区域',
      'k.search': '按拼音或拼音首字母查找事项（如 sbk、shebaoka）',
      'k.keyboard': '拼音首字母键盘',
      'k.query': '已输入的字母',
      'k.query.empty': '请点击字母，例如“身份证”输入 S F Z',
      'k.backspace': '退格',
      'k.backspace.aria': '退格，删除最后一个字母',
      'k.clear': '清空',
      'k.clear.aria': '清空已输入的字母',
      'k.results': '查找结果',
      'k.noresults': '没有找到匹配的事项，请换个字母或选择区域',
      'k.searching': '正在查找…',
      'k.plain': '直接取号（不选事项）',
      'k.zone.matters': '本区可办事项',
      'k.zone.none': '本区暂无可选事项，请直接取号',
      'k.dept': '办理部门：{dept}',
      'k.promise': '承诺时限：{n} 个工作日',
      'k.instant': '即办件：当场办结',
      'k.in_zone': '办理区域：{zone}',
      'k.materials': '所需材料',
      'k.materials.hint': '请核对是否带齐，可逐项勾选（勾选不会上传任何内容）',
      'k.materials.none': '本事项无需提交材料',
      'k.scan': '材料扫描',
      'k.scan.hint': '请将材料正面朝下放入扫描仪，再点击“开始扫描”；每扫描一次为一份材料',
      'k.next': '下一步：选择领取方式',
      'k.delivery': '办理结果领取方式',
      'k.pickup': '窗口领取',
      'k.mail': '免费邮寄',
      'k.mail.needcard': '免费邮寄需刷身份证后办理',
      'k.mail.no': '该事项的办理结果不提供免费邮寄，请到窗口领取',
      'k.recipient': '收件人姓名（最多 16 字）',
      'k.phone': '手机号码（11 位）',
      'k.address': '详细地址（省、市、县区、街道门牌）',
      'k.postcode': '邮政编码（6 位）',
      'k.summary': '请核对后确认',
      'k.sum.matter': '事项：{m}',
      'k.sum.applicant': '申请人：{name}（{id}）',
      'k.sum.noapplicant': '未刷身份证：只取号，不预填申请信息',
      'k.confirm': '确认取号',
      'k.sending': '正在取号，请稍候…',
      'k.choose.delivery': '请选择领取方式',
      'k.fix': '请按提示修改后再确认',
      'k.result': '您已领取{number}号，前方等待{ahead}人',
      'k.result.offline': '您已领取{number}号（离线取号，按取号时间排队，请留意叫号）',
      'up.away.kiosk': '大厅服务器连接中断：本机离线取号中，还可取 {left} 张',
      'up.away.kiosk.none': '大厅服务器连接中断，本机离线号段已用完：请到导办台取号',
      'up.away.staff': '大厅服务器连接中断：叫号暂停，扫描的材料先保存在本机，恢复后自动上传',
      'up.pending': '（{n} 项待上传）',
      'k.result.zone': '办事区域：{zone}',
      'k.result.again': '您已在该区域领取过号码，请勿重复取号',
      'k.result.hint': '请留意大厅叫号屏幕和语音提示',
      'k.done': '完成',
      'k.home': '返回首页',
      'k.home.aria': '返回首页，并清除您的信息',
      'k.idle': '{n} 秒后返回首页并清除您的信息，触摸屏幕可继续',
      // guide
      'g.step1': '第一步：选择区域',
      'g.step2': '第二步：{zone}，选择类别',
      'g.normal': '普通',
      'g.priority': '{reason}优先',
      'g.issued': '已取号',
      'g.issued.line': '{zone}，前方等待{ahead}人',
      'g.issued.again': '该证件在此区域已有号码',
      'g.recent': '本台最近取号',
      'g.none': '尚未取号',
      'g.sending': '正在取号…',
      // window
      'w.title': '{n} 号窗口',
      'w.helps': '协办区域：{zones}',
      'w.choose': '请选择本机的窗口号',
      'w.choose.n': '{n} 号窗口',
      'w.notmine': '本终端不是 {n} 号窗口，请重新选择',
      'w.held': '当前号',
      'w.held.none': '当前没有叫号，请点击“叫号”',
      'w.priority': '优先',
      'w.transferred': '转来',
      'w.agent': '代办',
      'w.agent.who': '代办员',
      'w.agent.line': '{name}（{id}）代{citizen}办理，{consent}',
      'consent.signed_form': '签字委托书',
      'consent.verbal_witnessed': '口头委托（{witness} 见证）',
      'consent.id_card_placed': '本人刷身份证确认',
      'w.recalls': '已重呼 {n} 次',
      'w.sub': '预填申请信息',
      'w.sub.none': '无预填信息（未刷身份证取号）',
      'w.applicant': '申请人',
      'w.idnumber': '身份证号码',
      'w.show': '显示完整号码',
      'w.hide': '隐藏完整号码',
      'w.matter': '事项',
      'w.matter.none': '未选择事项',
      'w.materials': '材料',
      'w.materials.submitted': '已扫描提交 {n} 份',
      'w.materials.required': '所需材料（请核对）',
      'w.delivery': '领取方式',
      'w.delivery.pickup': '窗口领取',
      'w.delivery.mail': '免费邮寄',
      'w.recipient': '收件人',
      'w.phone': '手机',
      'w.address': '地址',
      'w.postcode': '邮编',
      'w.actions': '操作',
      'w.call': '叫号',
      'w.recall': '重呼',
      'w.noshow': '过号',
      'w.start': '开始办理',
      'w.finish': '办结',
      'w.accepted': '受理',
      'w.rejected': '不予受理',
      'w.consulted': '咨询',
      'w.transfer': '转移',
      'w.transfer.zone': '转到区域',
      'w.transfer.window': '转到窗口',
      'w.transfer.zone.btn': '转到该区域',
      'w.transfer.window.btn': '转到该窗口',
      'w.pick': '指定叫号',
      'w.pick.number': '号码',
      'w.pick.reason': '原因（必填，记入日志）',
      'w.pick.btn': '叫此号',
      'w.m.called': '已叫 {number} 号',
      'w.m.nobody': '当前无人等候',
      'w.m.recalled': '已重呼 {number} 号',
      'w.m.noshow': '{number} 号已过号',
      'w.m.started': '开始办理 {number} 号',
      'w.m.finished': '{number} 号已办结（{result}）',
      'w.m.case': '办件编号 {case}，承诺 {due} 前办结',
      'w.m.cases': '已生成 {n} 个办件（见“已受理的办件”）',
      'w.m.transferred': '{number} 号已转移',
      'w.waiting': '等候队列（{n} 人）',
      'w.waiting.none': '无人等候',
      'w.waited': '已等 {m} 分钟',
      'r.title': '请您对本次服务进行评价',
      'r.for': '号码 {number}',
      'r.5': '非常满意',
      'r.4': '满意',
      'r.3': '基本满意',
      'r.2': '不满意',
      'r.1': '非常不满意',
      'r.thanks': '感谢您的评价！',
      'r.already': '本次服务已评价',
      // display
      'd.call': '请{number}号到{window}号窗口办理',
      'd.latest': '最新叫号',
      'd.none': '暂无叫号',
      'd.windows': '各窗口当前叫号',
      'd.recent': '最近叫号',
      'd.waiting': '各区等候人数',
      'd.win': '{n} 号窗口',
      'd.call.aria': '{number} 号，请到 {window} 号窗口',
      'd.recall': '重呼',
      'd.voice': '语音播报',
      'd.voice.on': '语音播报（已开启）',
      'd.voice.none': '本机不支持语音播报，叫号仅以文字显示',
      'd.voice.blocked': '声音被浏览器阻止，叫号暂时不能播报：请触摸屏幕或点击“语音播报”开启',
      // admin
      'a.waiting': '各区等候',
      'a.stats': '今日统计（{date}）',
      'a.zone': '区域',
      'a.window': '窗口',
      'a.count': '等候人数',
      'a.issued': '取号',
      'a.served': '办结',
      'a.noshow': '过号',
      'a.expired': '过期',
      'a.meanwait': '平均等候（分钟）',
      'a.p90': '90% 等候（分钟）',
      'a.meanservice': '平均办理（分钟）',
      'a.ratings': '评价（条数 / 平均分 / 差评）',
      'a.total': '合计',
      'a.windows': '各窗口统计（今日有业务的窗口）',
      'a.windows.none': '今日尚无窗口业务',
      'a.audit': '最近 50 条操作记录',
      'a.audit.none': '暂无记录',
      'a.time': '时间',
      'a.actor': '终端',
      'a.action': '操作',
      'a.number': '号码',
      'a.detail': '说明',
      'a.updated': '更新于 {time}',
      // status page
      's.number': '您的号码',
      's.waiting': '前方等待 {n} 人',
      's.go': '请到 {window} 号窗口办理',
      's.error': '无法查询该号码，请确认链接完整',
      's.hint': '本页不显示任何个人信息，每 10 秒自动刷新。',
      's.querying': '正在查询…',
      // scanned materials, page viewer (kiosk and window)
      'page.n': '第 {n} 页',
      'page.scanned': '第 {n} 页已扫描',
      'scan.noscanner': '本终端没有连接扫描仪',
      'pv.title': '{material} · 第 {n} 页（共 {total} 页）',
      'pv.close': '关闭',
      'pv.close.aria': '关闭大图（Esc）',
      'pv.prev': '上一页',
      'pv.next': '下一页',
      'pv.loading': '正在加载…',
      'pv.error': '该页无法显示，请关闭后重试',
      'k.scan.start': '开始扫描',
      'k.scan.again': '扫描下一份材料',
      'k.scan.needcard': '扫描材料需先刷身份证；未刷身份证取号不预填申请信息',
      'k.scan.running': '正在扫描，请勿取出材料…',
      'k.scan.page': '正在扫描：已扫描 {n} 页…',
      'k.scan.done': '扫描完成：第 {i} 份材料，共 {n} 页',
      'k.scan.failed': '扫描失败：{msg}',
      'k.scan.list': '已扫描的材料（{n} 份）',
      'k.scan.material': '第 {i} 份材料（{n} 页）',
      'k.scan.remove': '移除',
      'k.scan.remove.aria': '移除第 {i} 份材料（不随申请提交）',
      'k.scan.removed': '已移除第 {i} 份材料',
      'k.sum.materials': '扫描材料：{n} 份，共 {p} 页',
      'k.sum.nomaterials': '扫描材料：无',
      'k.print.failed': '取号凭条未能打印',
      'k.print.valid': '您的号码 {number} 仍然有效，请记下号码，到导办台补打凭条',
      'k.print.void': '请到导办台取号，工作人员会为您办理',
      'g.reprint': '补打',
      'g.reprint.aria': '补打 {number} 号凭条',
      'g.reprinting': '正在补打 {number} 号…',
      'g.reprinted': '{number} 号凭条已补打',
      'g.reprint.noprinter': '本终端没有打印机，无法补打',
      'g.reprint.notwaiting': '{number} 号已不在等候中，无需补打',
      'g.reprint.number': '按号码补打',
      'g.reprint.notfound': '等候中没有 {number} 号',
      'w.pages': '扫描材料',
      'w.pages.none': '未提交扫描材料',
      'w.pages.loading': '正在读取第 {i} 份材料…',
      'w.pages.error': '第 {i} 份材料无法显示：{msg}',
      'w.material': '第 {i} 份材料',
      'w.material.pages': '第 {i} 份材料（{n} 页）',
      'w.page.open': '点击页面查看大图',
      'w.checked': '已核对',
      'w.checked.count': '已核对 {n} / {total} 项',
      'w.scan': '扫描补充材料',
      'w.scan.running': '正在扫描补充材料…',
      'w.scan.page': '正在扫描补充材料：已扫描 {n} 页…',
      'w.scan.done': '补充材料扫描完成，共 {n} 页',
      'w.scan.queued': '补充材料共 {n} 页已保存在本机，大厅服务器恢复后自动上传',
      'w.scan.failed': '扫描失败：{msg}',
      'w.extra': '本窗口补充扫描',
      'w.extra.material': '补充材料 {i}（{n} 页）',
      'w.extra.hint': '补充材料保存在本窗口，尚未附入申请材料',
      'w.cases': '{number} 号已受理的办件',
      'w.case.due': '承诺办结：{due}',
      'w.case.package': '一件事',
      'w.case.parts': '{name}包含的事项',
      'a.oversight': '督办：未办结办件',
      'a.oversight.none': '暂无未办结办件',
      'a.oversight.sum': '已超期 {red} 件，即将到期 {yellow} 件，正常 {green} 件',
      'a.oversight.more': '仅列出前 {n} 件',
      'a.light': '时限',
      'a.case': '办件编号',
      'a.matter': '事项',
      'a.dept': '部门',
      'a.due': '承诺办结',
      'a.state': '办理状态',
      'light.red': '已超期',
      'light.yellow': '即将到期',
      'light.green': '正常',
      'light.none': '—',
      'case.accepted': '已受理',
      'case.routed': '已转办',
      'case.approved': '已审批',
      'case.rejected': '审批不通过',
      'case.ready': '待领取',
      'case.handed_out': '已领取',
      'case.mailed': '已寄出',
      'case.closed': '已办结',
      'case.suspended': '挂起（自 {date}）',
      'case.part': '属于 {parent}',
    },
    en: {
      'app.loading': 'Loading…',
      'lang.button': '中文',
      'lang.aria': '中文 (switch to Chinese)',
      'elder.label': 'Large text',
      'elder.on': 'Large text (on)',
      'conn.lost': 'Connection lost, reconnecting…',
      'err.network': 'Network problem: the server could not be reached. Please try again',
      'err.token': "This terminal's token is missing or invalid; ask the administrator (open the page with ?token=…)",
      'k.printer.down': "This kiosk's printer is out of service: please take a ticket at the guide desk",
      'k.checkin.title': 'Appointment check-in',
      'w.qr.reason': 'called by scanning its QR code',
      'w.correction': 'Needs correction',
      'w.correction.is': 'To correct: {note}',
      'w.correction.clear': 'Clear correction',
      'w.correction.what': 'What must be corrected',
      'w.correction.save': 'Save',
      'staff.title': 'Staff sign-in',
      'staff.hint': 'A member of staff must sign in before this terminal can act',
      'staff.id': 'Staff ID',
      'staff.pin': 'PIN',
      'staff.submit': 'Sign in',
      'staff.out': 'Sign out',
      'staff.who': 'Signed in: {name}',
      'staff.wrong': 'Wrong staff ID or PIN',
      'err.forbidden': 'This terminal may not do this',
      'err.server': 'Server error; nothing was changed. Please try again',
      'err.field': '{field}: {msg}',
      'err.notfound': 'Not found',
      'err.conflict': 'Not possible in the current state',
      'err.detail': ' ({msg})',
      'back': 'Back',
      'retry': 'Try again',
      'title.kiosk': 'Self-service',
      'title.guide': 'Guide desk',
      'title.window': 'Window',
      'title.display': 'Calls',
      'title.admin': 'Administration',
      'title.agent': 'Agent desk',
      'title.status': 'Queue status',
      'title.counter': 'Rate our service',
      'field.zone': 'Area',
      'field.matter': 'Matter',
      'field.package': 'Matter',
      'field.id_number': 'ID number',
      'field.submission.applicant.id_number': 'ID number',
      'field.submission.applicant.name': 'Name',
      'field.submission.delivery': 'Delivery',
      'field.submission.delivery.mode': 'Delivery',
      'field.submission.delivery.recipient': 'Recipient',
      'field.submission.delivery.phone': 'Mobile number',
      'field.submission.delivery.address': 'Address',
      'field.submission.delivery.postcode': 'Postcode',
      'field.priority_reason': 'Priority reason',
      'field.reason': 'Reason',
      'field.number': 'Number',
      'field.window': 'Window',
      'field.level': 'Rating',
      'field.Idempotency-Key': 'Request key',
      'v.recipient': "Enter the recipient's name, up to 16 characters",
      'v.phone': 'Enter an 11-digit mobile number starting with 1',
      'v.address': 'Enter the address',
      'v.postcode': 'Enter a 6-digit postcode',
      'v.number': 'Enter a number, e.g. A012',
      'v.reason': 'Enter the reason for this call',
      'v.window': 'Choose a window',
      'v.zone': 'Choose an area',
      'zone.waiting': '{n} waiting',
      'reason.elderly': 'Elderly',
      'reason.disabled': 'Disability',
      'reason.pregnant': 'Pregnancy',
      'reason.military': 'Service member',
      'status.waiting': 'Waiting',
      'status.called': 'Called, not yet at the window',
      'status.serving': 'Being served',
      'status.done': 'Done',
      'status.no_show': 'Missed',
      'status.expired': 'Expired',
      'status.void': 'Void',
      'result.accepted': 'accepted',
      'result.rejected': 'rejected',
      'result.consulted': 'consultation',
      'result.served': 'served',
      'k.welcome': 'Please place your ID card',
      'k.welcome.hint': 'Lay your ID card flat on the reader below and hold it still',
      'k.reader': 'Card reader: place the ID card here',
      'k.nocard': 'Take a number without an ID card',
      'k.hello': 'Hello, {name}',
      'k.idline': 'ID number: {id}',
      'k.pick': 'Choose an area, or find a matter by its pinyin initials',
      'k.pick.nocard': 'No ID card: you get a number, but no form is pre-filled',
      'k.zones': 'Areas',
      'k.search': 'Find a matter by pinyin or its initials (e.g. sbk, shebaoka)',
      'k.keyboard': 'Pinyin initials keyboard',
      'k.query': 'Letters typed',
      'k.query.empty': 'Tap letters, e.g. S F Z for 身份证 (ID card)',
      'k.backspace': 'Delete',
      'k.backspace.aria': 'Delete the last letter',
      'k.clear': 'Clear',
      'k.clear.aria': 'Clear the letters',
      'k.results': 'Results',
      'k.noresults': 'No matching matter; try other letters or choose an area',
      'k.searching': 'Searching…',
      'k.plain': 'Take a number (no matter chosen)',
      'k.zone.matters': 'Matters in this area',
      'k.zone.none': 'No matters to choose here; take a number',
      'k.dept': 'Department: {dept}',
      'k.promise': 'Promised within {n} working days',
      'k.instant': 'Done on the spot',
      'k.in_zone': 'Area: {zone}',
      'k.materials': 'Materials needed',
      'k.materials.hint': 'Check you have them; you may tick each one (nothing is uploaded)',
      'k.materials.none': 'No materials are needed',
      'k.scan': 'Scan materials',
      'k.scan.hint': 'Put your papers face down in the scanner, then press Start scanning; each scan is one document',
      'k.next': 'Next: how to receive the result',
      'k.delivery': 'How to receive the result',
      'k.pickup': 'Collect at the window',
      'k.mail': 'Free mail delivery',
      'k.mail.needcard': 'Free mail delivery needs your ID card',
      'k.mail.no': 'Results of this matter are not mailed; please collect at the window',
      'k.recipient': 'Recipient (up to 16 characters)',
      'k.phone': 'Mobile number (11 digits)',
      'k.address': 'Address (province, city, county, street and number)',
      'k.postcode': 'Postcode (6 digits)',
      'k.summary': 'Please check and confirm',
      'k.sum.matter': 'Matter: {m}',
      'k.sum.applicant': 'Applicant: {name} ({id})',
      'k.sum.noapplicant': 'No ID card: a number only, no pre-filled form',
      'k.confirm': 'Confirm and take a number',
      'k.sending': 'Taking a number, please wait…',
      'k.choose.delivery': 'Choose how to receive the result',
      'k.fix': 'Please correct the marked fields, then confirm',
      'k.result': 'Your number is {number}; {ahead} people are ahead of you',
      'k.result.offline': 'Your number is {number} (issued offline: you are queued by the time you took it; watch the call screen)',
      'up.away.kiosk': 'The hall server cannot be reached: this kiosk issues tickets offline, {left} left',
      'up.away.kiosk.none': 'The hall server cannot be reached and this kiosk has no offline numbers left: please go to the guide desk',
      'up.away.staff': 'The hall server cannot be reached: calling is paused; scanned materials are kept here and sent when it is back',
      'up.pending': ' ({n} waiting to be sent)',
      'k.result.zone': 'Area: {zone}',
      'k.result.again': 'You already hold a number in this area; no second number is given',
      'k.result.hint': 'Watch the hall display and listen for your number',
      'k.done': 'Done',
      'k.home': 'Start again',
      'k.home.aria': 'Start again and clear your details',
      'k.idle': 'Returning to the start in {n} s and clearing your details; touch the screen to continue',
      'g.step1': 'Step 1: choose an area',
      'g.step2': 'Step 2: {zone}, choose the kind',
      'g.normal': 'Normal',
      'g.priority': 'Priority: {reason}',
      'g.issued': 'Issued',
      'g.issued.line': '{zone}, {ahead} ahead',
      'g.issued.again': 'This ID already holds a number in this area',
      'g.recent': 'Recently issued here',
      'g.none': 'Nothing issued yet',
      'g.sending': 'Issuing…',
      'w.title': 'Window {n}',
      'w.helps': 'Also serves: {zones}',
      'w.choose': "Choose this terminal's window number",
      'w.choose.n': 'Window {n}',
      'w.notmine': 'This terminal is not window {n}; choose again',
      'w.held': 'Current ticket',
      'w.held.none': 'No ticket held; press Call',
      'w.priority': 'priority',
      'w.transferred': 'transferred',
      'w.agent': 'agent',
      'w.agent.who': 'Agent',
      'w.agent.line': '{name} ({id}) for {citizen}; {consent}',
      'consent.signed_form': 'signed power of attorney',
      'consent.verbal_witnessed': 'verbal, witnessed by {witness}',
      'consent.id_card_placed': 'the citizen placed the ID card',
      'w.recalls': 'Recalled {n} times',
      'w.sub': 'Submission',
      'w.sub.none': 'No pre-filled submission (no ID card used)',
      'w.applicant': 'Applicant',
      'w.idnumber': 'ID number',
      'w.show': 'Show full number',
      'w.hide': 'Hide full number',
      'w.matter': 'Matter',
      'w.matter.none': 'No matter chosen',
      'w.materials': 'Materials',
      'w.materials.submitted': '{n} scanned',
      'w.materials.required': 'Materials needed (check)',
      'w.delivery': 'Delivery',
      'w.delivery.pickup': 'Collect at the window',
      'w.delivery.mail': 'Free mail',
      'w.recipient': 'Recipient',
      'w.phone': 'Mobile',
      'w.address': 'Address',
      'w.postcode': 'Postcode',
      'w.actions': 'Actions',
      'w.call': 'Call',
      'w.recall': 'Recall',
      'w.noshow': 'No-show',
      'w.start': 'Start',
      'w.finish': 'Finish',
      'w.accepted': 'Accept',
      'w.rejected': 'Reject',
      'w.consulted': 'Consultation',
      'w.transfer': 'Transfer',
      'w.transfer.zone': 'To area',
      'w.transfer.window': 'To window',
      'w.transfer.zone.btn': 'Transfer to area',
      'w.transfer.window.btn': 'Transfer to window',
      'w.pick': 'Call a chosen number',
      'w.pick.number': 'Number',
      'w.pick.reason': 'Reason (required, logged)',
      'w.pick.btn': 'Call this number',
      'w.m.called': 'Called {number}',
      'w.m.nobody': 'Nobody is waiting',
      'w.m.recalled': 'Recalled {number}',
      'w.m.noshow': '{number} marked as no-show',
      'w.m.started': 'Serving {number}',
      'w.m.finished': '{number} finished ({result})',
      'w.m.case': 'Case {case}, due {due}',
      'w.m.cases': '{n} cases opened (see below)',
      'w.m.transferred': '{number} transferred',
      'w.waiting': 'Waiting ({n})',
      'w.waiting.none': 'Nobody waiting',
      'w.waited': 'waited {m} min',
      'r.title': 'Please rate this service',
      'r.for': 'Number {number}',
      'r.5': 'Very satisfied',
      'r.4': 'Satisfied',
      'r.3': 'Fairly satisfied',
      'r.2': 'Dissatisfied',
      'r.1': 'Very dissatisfied',
      'r.thanks': 'Thank you for your rating!',
      'r.already': 'This service has been rated',
      'd.call': 'Number {number}, please go to window {window}',
      'd.latest': 'Latest call',
      'd.none': 'No calls yet',
      'd.windows': 'Now serving',
      'd.recent': 'Recent calls',
      'd.waiting': 'Waiting per area',
      'd.win': 'Window {n}',
      'd.call.aria': 'Number {number}, window {window}',
      'd.recall': 'again',
      'd.voice': 'Voice',
      'd.voice.on': 'Voice (on)',
      'd.voice.none': 'This screen cannot speak; calls are shown as text only',
      'd.voice.blocked': 'Sound is blocked by the browser, so calls are not spoken: touch the screen or press Voice to turn it on',
      'a.waiting': 'Waiting per area',
      'a.stats': 'Today ({date})',
      'a.zone': 'Area',
      'a.window': 'Window',
      'a.count': 'Waiting',
      'a.issued': 'Issued',
      'a.served': 'Served',
      'a.noshow': 'No-show',
      'a.expired': 'Expired',
      'a.meanwait': 'Mean wait (min)',
      'a.p90': 'P90 wait (min)',
      'a.meanservice': 'Mean service (min)',
      'a.ratings': 'Ratings (count / mean / poor)',
      'a.total': 'Total',
      'a.windows': 'Windows (active today)',
      'a.windows.none': 'No window activity today',
      'a.audit': 'Last 50 audit entries',
      'a.audit.none': 'No entries',
      'a.time': 'Time',
      'a.actor': 'Terminal',
      'a.action': 'Action',
      'a.number': 'Number',
      'a.detail': 'Detail',
      'a.updated': 'Updated {time}',
      's.number': 'Your number',
      's.waiting': '{n} ahead of you',
      's.go': 'Please go to window {window}',
      's.error': 'This number cannot be found; check that the link is complete',
      's.hint': 'This page shows no personal data and refreshes every 10 seconds.',
      's.querying': 'Checking…',
      'page.n': 'Page {n}',
      'page.scanned': 'Page {n} scanned',
      'scan.noscanner': 'This terminal has no scanner',
      'pv.title': '{material} · page {n} of {total}',
      'pv.close': 'Close',
      'pv.close.aria': 'Close the page (Esc)',
      'pv.prev': 'Previous page',
      'pv.next': 'Next page',
      'pv.loading': 'Loading…',
      'pv.error': 'This page cannot be shown; close and try again',
      'k.scan.start': 'Start scanning',
      'k.scan.again': 'Scan another document',
      'k.scan.needcard': 'Scanning needs your ID card; without it no form is pre-filled',
      'k.scan.running': 'Scanning; leave the papers in…',
      'k.scan.page': 'Scanning: {n} pages so far…',
      'k.scan.done': 'Scanned: document {i}, {n} pages',
      'k.scan.failed': 'Scanning failed: {msg}',
      'k.scan.list': 'Scanned documents ({n})',
      'k.scan.material': 'Document {i} ({n} pages)',
      'k.scan.remove': 'Remove',
      'k.scan.remove.aria': 'Remove document {i} (it is not handed in)',
      'k.scan.removed': 'Document {i} removed',
      'k.sum.materials': 'Scanned: {n} documents, {p} pages',
      'k.sum.nomaterials': 'Scanned: none',
      'k.print.failed': 'The slip could not be printed',
      'k.print.valid': 'Your number {number} is valid: note it and ask the guide desk to print the slip',
      'k.print.void': 'Please take a number at the guide desk; the staff will help you',
      'g.reprint': 'Reprint',
      'g.reprint.aria': 'Reprint the slip of {number}',
      'g.reprinting': 'Reprinting {number}…',
      'g.reprinted': 'Slip of {number} reprinted',
      'g.reprint.noprinter': 'This terminal has no printer; it cannot reprint',
      'g.reprint.notwaiting': '{number} is no longer waiting; no reprint needed',
      'g.reprint.number': 'Reprint by number',
      'g.reprint.notfound': 'No waiting ticket {number}',
      'w.pages': 'Scanned materials',
      'w.pages.none': 'No scanned materials',
      'w.pages.loading': 'Reading document {i}…',
      'w.pages.error': 'Document {i} cannot be shown: {msg}',
      'w.material': 'Document {i}',
      'w.material.pages': 'Document {i} ({n} pages)',
      'w.page.open': 'Tap a page to see it large',
      'w.checked': 'Checked',
      'w.checked.count': '{n} of {total} checked',
      'w.scan': 'Scan more materials',
      'w.scan.running': 'Scanning more materials…',
      'w.scan.page': 'Scanning more materials: {n} pages so far…',
      'w.scan.done': 'Scanned, {n} pages',
      'w.scan.queued': '{n} pages kept on this terminal: sent when the hall server is back',
      'w.scan.failed': 'Scanning failed: {msg}',
      'w.extra': 'Scanned at this window',
      'w.extra.material': 'Extra document {i} ({n} pages)',
      'w.extra.hint': 'Kept at this window; not yet part of the submission',
      'w.cases': 'Cases opened for {number}',
      'w.case.due': 'Due {due}',
      'w.case.package': 'package',
      'w.case.parts': 'Matters of {name}',
      'a.oversight': 'Supervision: open cases',
      'a.oversight.none': 'No open cases',
      'a.oversight.sum': '{red} overdue, {yellow} due soon, {green} on time',
      'a.oversight.more': 'Only the first {n} are listed',
      'a.light': 'Deadline',
      'a.case': 'Case number',
      'a.matter': 'Matter',
      'a.dept': 'Department',
      'a.due': 'Due',
      'a.state': 'State',
      'light.red': 'Overdue',
      'light.yellow': 'Due soon',
      'light.green': 'On time',
      'light.none': '—',
      'case.accepted': 'Accepted',
      'case.routed': 'Routed',
      'case.approved': 'Approved',
      'case.rejected': 'Refused',
      'case.ready': 'Ready to collect',
      'case.handed_out': 'Collected',
      'case.mailed': 'Mailed',
      'case.closed': 'Closed',
      'case.suspended': 'Suspended since {date}',
      'case.part': 'Part of {parent}',
    },
  };

  let lang = 'zh';
  const langListeners = [];

  function fill(s, params) {
    return s.replace(/\{(\w+)\}/g, (m, k) => (params && params[k] != null ? String(params[k]) : m));
  }

  // t returns the current language's words for key, with {params} filled.
  function t(key, params) {
    const s = DICT[lang][key] ?? DICT.zh[key] ?? key;
    return fill(s, params);
  }

  // tNodes is t for rich text: params that are DOM nodes are kept as nodes.
  function tNodes(key, params) {
    const s = DICT[lang][key] ?? DICT.zh[key] ?? key;
    const out = [];
    let last = 0;
    s.replace(/\{(\w+)\}/g, (m, k, off) => {
      if (off > last) out.push(document.createTextNode(s.slice(last, off)));
      const v = params ? params[k] : undefined;
      out.push(v instanceof Node ? v : document.createTextNode(v == null ? m : String(v)));
      last = off + m.length;
      return m;
    });
    if (last < s.length) out.push(document.createTextNode(s.slice(last)));
    return out;
  }

  function applyI18n(root) {
    root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
    root.querySelectorAll('[data-i18n-aria]').forEach((el) => { el.setAttribute('aria-label', t(el.dataset.i18nAria)); });
  }

  function setLang(l) {
    lang = l === 'en' ? 'en' : 'zh';
    document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
    const page = document.body.dataset.page;
    document.title = (CFG.hall ? CFG.hall + ' · ' : '') + t('title.' + page);
    applyI18n(document);
    for (const fn of langListeners) fn(lang);
  }

  function zoneName(z) {
    if (!z) return '';
    return lang === 'en' && z.name_en ? z.name_en : z.name;
  }

  function zoneByID(id) {
    return (CFG.zones || []).find((z) => z.id === id) || null;
  }

  function reasonName(r) {
    const k = 'reason.' + r;
    return DICT.zh[k] ? t(k) : r;
  }

  // ---- DOM helpers ------------------------------------------------------
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'style') el.style.cssText = v; // CSSOM: the CSP admits no style attribute
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
    for (const c of kids.flat(Infinity)) {
      if (c == null || c === false) continue;
      el.append(c instanceof Node ? c : String(c));
    }
    return el;
  }

  function $(sel, root) { return (root || document).querySelector(sel); }

  // put replaces el's children, skipping null and false (replaceChildren
  // would print them).
  function put(el, ...kids) {
    el.replaceChildren(...kids.flat(Infinity).filter((c) => c != null && c !== false));
    return el;
  }

  // ---- masking (PIPL: screens show de-identified forms) ----------------
  function maskName(n) {
    const r = Array.from(String(n || '').trim());
    if (r.length < 2) return r.join('');
    r[1] = '*';
    return r.join('');
  }
  function maskID(id) {
    const r = Array.from(String(id || '').trim());
    if (r.length <= 8) return '*'.repeat(r.length);
    for (let i = 4; i < r.length - 4; i++) r[i] = '*';
    return r.join('');
  }
  function maskPhone(p) {
    const r = Array.from(String(p || '').trim());
    if (r.length < 7) return '*'.repeat(r.length);
    for (let i = 3; i < r.length - 4; i++) r[i] = '*';
    return r.join('');
  }

  // ---- the terminal token ----------------------------------------------
  // A terminal's browser is started once with ?token=…; the page keeps it
  // (per page) and strips it from the address bar, so it is not shown,
  // bookmarked or sent as a referrer.
  let token = '';
  function initToken(page) {
    const key = 'kioskd.token.' + page;
    const u = new URL(location.href);
    const q = u.searchParams.get('token');
    if (q) {
      try { sessionStorage.setItem(key, q); } catch (e) { /* private mode */ }
      try { localStorage.setItem(key, q); } catch (e) { /* private mode */ }
      u.searchParams.delete('token');
      history.replaceState(history.state, '', u.pathname + u.search + u.hash);
      token = q;
      return token;
    }
    try { token = sessionStorage.getItem(key) || localStorage.getItem(key) || ''; } catch (e) { token = ''; }
    return token;
  }

  // ---- API client -------------------------------------------------------
  class ApiError extends Error {
    constructor(status, field, msg, data) {
      super(msg);
      this.status = status;
      this.field = field || '';
      this.data = data;
    }
  }

  let serverOffset = 0; // server clock minus ours, from the Date header

  // ---- staff sessions (POST /api/v1/staff/sign-in) ---------------------
  // Window and guide terminals may require a member of staff to sign in;
  // the session is kept for this browser tab and sent with every call.
  const staffKey = () => 'kioskd.staff.' + (document.body.dataset.page || '');
  function staffSession() {
    try { return sessionStorage.getItem(staffKey()) || ''; } catch (e) { return ''; }
  }
  function setStaffSession(v) {
    try { if (v) sessionStorage.setItem(staffKey(), v); else sessionStorage.removeItem(staffKey()); } catch (e) { /* ignore */ }
  }

  async function api(method, path, body, headers) {
    const hdr = Object.assign({ Authorization: 'Bearer ' + token, Accept: 'application/json' }, headers || {});
    const sess = staffSession();
    if (sess) hdr['X-Staff-Session'] = sess;
    const init = { method, headers: hdr, cache: 'no-store' };
    if (body !== undefined) {
      hdr['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, '', '', null);
    }
    const d = res.headers.get('Date');
    if (d) {
      const ms = Date.parse(d);
      if (!isNaN(ms)) serverOffset = ms - Date.now();
    }
    const text = await res.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch (e) { data = null; }
    }
    if (!res.ok) {
      if (res.status === 401 && data && data.field === 'X-Staff-Session') {
        setStaffSession('');
        staffGate(true);
      } else if (res.status === 401) showPageAlert(t('err.token'));
      throw new ApiError(res.status, data && data.field, (data && data.error) || res.statusText, data);
    }
    return { status: res.status, data };
  }

  // ---- the server's messages: GET /api/v1/messages -----------------------
  // Every error answer carries a stable code; the server keeps one registry
  // of codes with a Chinese and an English message each ({placeholders}
  // filled from the answer's params). Asked once per page, without a token.
  let messages = {};
  const messagesReady = fetch('/api/v1/messages', { cache: 'no-store', headers: { Accept: 'application/json' } })
    .then((r) => (r.ok ? r.json() : null))
    .then((d) => { if (d && d.messages && typeof d.messages === 'object') messages = d.messages; }, () => {});
  // codeText is an error code's message in the page's language, or ''.
  function codeText(code, params) {
    const m = code && messages[code];
    const s = m && (m[lang] || (lang === 'zh' ? '' : m.en));
    if (!s) return '';
    return String(s).replace(/\{(\w+)\}/g, (x, n) => (params && params[n] != null ? String(params[n]) : x));
  }

  // errorText puts an API error in words for the screen: the code's
  // message in the page's language when the server sent a known code.
  function errorText(err) {
    if (!(err instanceof ApiError)) return t('err.server');
    if (err.status === 0) return t('err.network');
    if (err.status === 401) return t('err.token');
    const vkey = {
      'submission.delivery.recipient': 'v.recipient', 'submission.delivery.phone': 'v.phone',
      'submission.delivery.address': 'v.address', 'submission.delivery.postcode': 'v.postcode',
    }[err.field];
    if (vkey) return t('err.field', { field: t('field.' + err.field), msg: t(vkey) });
    const code = err.data && err.data.code;
    const coded = codeText(code, err.data && err.data.params);
    if (coded) {
      // a generic code says little: name the field it is about
      const generic = ['bad_request', 'field_type', 'not_found', 'conflict'].includes(code);
      if (generic && err.field && DICT.zh['field.' + err.field]) return t('err.field', { field: t('field.' + err.field), msg: coded });
      return coded;
    }
    if (err.status >= 500) return t('err.server');
    const msg = vkey && lang === 'zh' ? t(vkey) : err.message;
    if (err.field && DICT.zh['field.' + err.field]) return t('err.field', { field: t('field.' + err.field), msg });
    // the server words some answers in English: say what kind of refusal it is first
    const kind = { 403: 'err.forbidden', 404: 'err.notfound', 409: 'err.conflict' }[err.status];
    if (kind && (lang === 'en' || !/[\u3400-\u9fff]/.test(msg))) return t(kind) + (msg ? t('err.detail', { msg }) : '');
    return msg;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) {
      try { return crypto.randomUUID(); } catch (e) { /* insecure context */ }
    }
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const x = Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
    return x.slice(0, 8) + '-' + x.slice(8, 12) + '-' + x.slice(12, 16) + '-' + x.slice(16, 20) + '-' + x.slice(20);
  }

  // ---- page-level alert and the connection banner -----------------------
  function showPageAlert(msg) {
    let el = document.getElementById('page-alert');
    if (!el) return;
    el.textContent = msg;
    el.hidden = !msg;
  }

  // ---- the event stream ---------------------------------------------------
  // Events connects to /api/v1/events and keeps connecting: after a drop it
  // retries with backoff (0.5 s doubling to 15 s, with jitter) and asks for
  // ?since=<last seq seen>, so the server replays what was missed, in order.
  class Events {
    constructor(onEvent, opts) {
      this.onEvent = onEvent;
      this.onOpen = (opts && opts.onOpen) || null;
      this.since = opts && opts.since != null ? opts.since : null;
      this.delay = 500;
      this.pauseUntil = 0;
      this.ws = null;
      this.timer = null;
      this.opened = 0;
      this.setState('connecting');
      window.addEventListener('online', () => this.retryNow());
      this.connect();
    }
    setState(s) {
      this.state = s;
      document.body.dataset.ws = s;
      const banner = document.getElementById('conn-banner');
      if (!banner) return;
      clearTimeout(this.bannerTimer);
      if (s === 'open') {
        banner.hidden = true;
      } else if (this.opened > 0) {
        banner.hidden = false; // lost a connection we had
      } else {
        // the first connection: show the banner only if it takes a while
        this.bannerTimer = setTimeout(() => { if (this.state !== 'open') banner.hidden = false; }, 1500);
      }
    }
    url() {
      const q = new URLSearchParams({ token });
      if (this.since != null) q.set('since', String(this.since));
      return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/v1/events?' + q;
    }
    connect() {
      this.timer = null;
      let ws;
      try { ws = new WebSocket(this.url()); } catch (e) { this.schedule(); return; }
      this.ws = ws;
      ws.onopen = () => {
        if (this.ws !== ws) return;
        this.delay = 500;
        const again = this.opened > 0;
        this.opened++;
        this.setState('open');
        if (this.onOpen) this.onOpen(again);
      };
      ws.onmessage = (m) => {
        if (this.ws !== ws) return;
        let e;
        try { e = JSON.parse(m.data); } catch (err) { return; }
        if (typeof e.seq === 'number') {
          if (this.since != null && e.seq <= this.since) return; // seen already
          this.since = e.seq;
        }
        try { this.onEvent(e); } catch (err) { console.error('event handler', err); }
      };
      ws.onclose = () => {
        if (this.ws !== ws) return;
        this.ws = null;
        this.setState('closed');
        this.schedule();
      };
      ws.onerror = () => { /* onclose follows */ };
    }
    schedule() {
      if (this.timer) return;
      const jitter = 0.8 + Math.random() * 0.4;
      const wait = Math.max(this.delay * jitter, this.pauseUntil - Date.now());
      this.delay = Math.min(this.delay * 2, 15000);
      this.timer = setTimeout(() => this.connect(), wait);
    }
    retryNow() {
      if (this.ws || Date.now() < this.pauseUntil) return;
      clearTimeout(this.timer);
      this.timer = null;
      this.delay = 500;
      this.connect();
    }
    // drop closes the connection as a network blip would and stays away
    // for at least pauseMs (diagnostics and the browser tests use it).
    drop(pauseMs) {
      this.pauseUntil = Date.now() + (pauseMs || 0);
      this.delay = 500;
      if (this.ws) this.ws.close(4000, 'drop');
    }
  }

  // ---- header: language and elder mode ---------------------------------
  const elderListeners = [];
  function setElder(on) {
    document.documentElement.classList.toggle('elder', !!on);
    document.querySelectorAll('[data-role=elder-toggle]').forEach((b) => {
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
      b.textContent = t(on ? 'elder.on' : 'elder.label');
    });
    for (const fn of elderListeners) fn(!!on);
  }
  function isElder() { return document.documentElement.classList.contains('elder'); }

  function header(opts) {
    const langBtn = h('button', { type: 'button', class: 'secondary lang-toggle', dataset: { role: 'lang-toggle' },
      onclick: () => { setLang(lang === 'zh' ? 'en' : 'zh'); if (opts && opts.persist) savePrefs(); } });
    const bits = [
      h('div', { class: 'brand' }, h('span', { class: 'hall' }, CFG.hall || ''), h('span', { class: 'page-name', 'data-i18n': 'title.' + document.body.dataset.page }, t('title.' + document.body.dataset.page))),
      h('div', { class: 'tools' }, (opts && opts.extra) || [], langBtn),
    ];
    if (!opts || opts.elder !== false) {
      const eb = h('button', { type: 'button', class: 'secondary', dataset: { role: 'elder-toggle' }, 'aria-pressed': 'false',
        onclick: () => { setElder(!isElder()); if (opts && opts.persist) savePrefs(); } });
      bits[1].append(eb);
    }
    const el = h('header', { class: 'bar' }, bits);
    const refresh = () => {
      langBtn.textContent = t('lang.button');
      langBtn.setAttribute('lang', lang === 'zh' ? 'en' : 'zh-CN');
      langBtn.setAttribute('aria-label', t('lang.aria'));
      el.querySelectorAll('[data-role=elder-toggle]').forEach((b) => { b.textContent = t(isElder() ? 'elder.on' : 'elder.label'); });
    };
    langListeners.push(refresh);
    refresh();
    return el;
  }

  function savePrefs() {
    try {
      localStorage.setItem('kioskd.prefs.' + document.body.dataset.page, JSON.stringify({ lang, elder: isElder() }));
    } catch (e) { /* ignore */ }
  }
  function loadPrefs() {
    try {
      const p = JSON.parse(localStorage.getItem('kioskd.prefs.' + document.body.dataset.page) || '{}');
      if (p.elder) setElder(true);
      if (p.lang === 'en') setLang('en');
    } catch (e) { /* ignore */ }
  }

  // ---- small utilities ---------------------------------------------------
  function debounce(fn, ms) {
    let tm = null;
    return function () { clearTimeout(tm); tm = setTimeout(fn, ms); };
  }

  // hallDay is today's date in the hall's time zone, YYYY-MM-DD.
  function hallDay(ms) {
    try {
      return new Intl.DateTimeFormat('en-CA', { timeZone: CFG.timezone || 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
        .format(new Date(ms == null ? serverNow() : ms));
    } catch (e) {
      return new Date().toISOString().slice(0, 10);
    }
  }
  function hallTime(iso) {
    try {
      return new Intl.DateTimeFormat('zh-CN', { timeZone: CFG.timezone || 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
        .format(new Date(iso == null ? serverNow() : iso));
    } catch (e) {
      return String(iso || '').slice(11, 19);
    }
  }
  function serverNow() { return Date.now() + serverOffset; }

  // init prepares a page: title, header, banner regions, token.
  function init(opts) {
    const page = document.body.dataset.page;
    document.documentElement.classList.add('page-' + page);
    if (!opts || opts.token !== false) initToken(page);
    if ((!opts || opts.token !== false) && !token) setTimeout(() => showPageAlert(t('err.token')), 0);
    setLang('zh');
    return token;
  }


  // ---- this terminal: GET /api/v1/me --------------------------------------
  // {id, role, window?, printer, scanner}: which devices this terminal has.
  // Asked once per page; null when the server does not answer (asked again
  // on the next call).
  let mePromise = null;
  function me() {
    if (!mePromise) {
      mePromise = api('GET', '/api/v1/me').then((r) => r.data || {}, () => { mePromise = null; return null; });
    }
    return mePromise;
  }

  // staffGate shows the sign-in panel over the page when this terminal
  // needs a member of staff and none is signed in (force: the server said so).
  let gateShown = false;
  async function staffGate(force) {
    if (gateShown) return;
    if (!force) {
      const m = await me();
      if (!m) return;
      if (m.staff) { showStaffBar(m.staff); return; }
      if (!m.staff_required) return;
    }
    gateShown = true;
    const err = h('p', { class: 'err', role: 'alert' });
    const id = h('input', { id: 'staff-id', name: 'staff_id', autocomplete: 'off', required: true });
    const pin = h('input', { id: 'staff-pin', name: 'pin', type: 'password', inputmode: 'numeric', autocomplete: 'off', required: true });
    const main = document.querySelector('main') || document.body;
    const panel = h('main', { class: 'staff-gate', 'aria-labelledby': 'staff-title' },
      h('h1', { id: 'staff-title' }, t('staff.title')),
      h('p', {}, t('staff.hint')),
      h('form', { onsubmit: async (e) => {
        e.preventDefault();
        try {
          const r = await api('POST', '/api/v1/staff/sign-in', { staff_id: id.value.trim(), pin: pin.value });
          setStaffSession(r.data.session);
          panel.remove();
          main.hidden = false;
          gateShown = false;
          showStaffBar(r.data.name || r.data.staff);
        } catch (x) {
          err.textContent = x instanceof ApiError && x.status === 401 ? t('staff.wrong') : errorText(x);
          pin.value = '';
        }
      } },
        h('label', { class: 'field', for: 'staff-id' }, h('span', {}, t('staff.id')), id),
        h('label', { class: 'field', for: 'staff-pin' }, h('span', {}, t('staff.pin')), pin),
        err,
        h('button', { type: 'submit', class: 'primary' }, t('staff.submit'))));
    main.hidden = true;
    main.parentNode.insertBefore(panel, main);
    id.focus();
  }

  function showStaffBar(who) {
    const old = document.querySelector('.staff-bar');
    if (old) old.remove();
    const bar = h('div', { class: 'staff-bar' }, h('span', {}, t('staff.who', { name: who })),
      h('button', { type: 'button', class: 'secondary', onclick: async () => {
        try { await api('POST', '/api/v1/staff/sign-out'); } catch (e) { /* signed out anyway */ }
        setStaffSession('');
        bar.remove();
        staffGate(true);
      } }, t('staff.out')));
    const main = document.querySelector('main') || document.body;
    main.parentNode.insertBefore(bar, main);
  }

  // ---- scanned materials ---------------------------------------------------
  // pageURL is the address of page n (1-based) of a material: a thumbnail
  // (size=thumb) or width px wide. An <img> cannot send the bearer header, so
  // the token goes in the query (the pages send no referrer).
  function pageURL(id, n, opts) {
    const q = new URLSearchParams();
    if (opts && opts.thumb) q.set('size', 'thumb');
    else if (opts && opts.width) q.set('width', String(opts.width));
    if (!opts || opts.token !== false) q.set('token', token);
    return '/api/v1/materials/' + encodeURIComponent(id) + '/pages/' + n + '.png' + (q.toString() ? '?' + q : '');
  }

  // authURL adds the terminal's token to a same-origin address for an
  // element that cannot send the bearer header (<audio>, <img>).
  function authURL(path) {
    return path + (path.includes('?') ? '&' : '?') + new URLSearchParams({ token });
  }

  // apiBlob GETs a binary resource with the bearer header: a Blob, or an ApiError.
  async function apiBlob(path) {
    let res;
    try {
      res = await fetch(path, { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' });
    } catch (e) {
      throw new ApiError(0, '', '', null);
    }
    if (!res.ok) {
      let data = null;
      try { data = await res.json(); } catch (e) { data = null; }
      throw new ApiError(res.status, data && data.field, (data && data.error) || res.statusText, data);
    }
    return res.blob();
  }

  // runScan starts this terminal's scanner (POST /api/v1/scans). The POST
  // answers when the last page is in; meanwhile the event stream brings this
  // terminal alone scan.page, then scan.done or scan.failed: pass those to
  // scanEvent. hs.page(n) follows the pages; hs.done({material_id, pages})
  // or hs.failed(words) is called once, by whichever comes first, the
  // event or the answer (a failed answer waits a moment for the event's words).
  let scanRun = null;
  function runScan(hs) {
    const run = { hs, over: false };
    run.end = (fn, arg) => {
      if (run.over) return;
      run.over = true;
      if (scanRun === run) scanRun = null;
      fn(arg);
    };
    scanRun = run;
    api('POST', '/api/v1/scans', { pages: 0 }).then((r) => run.end(hs.done, r.data), (err) => {
      let words = errorText(err);
      if (err.status === 409 && /no scanner/i.test(err.message)) words = t('scan.noscanner');
      else if (err.status === 503 && err.message) words = err.message; // the device's words (paper jam, cover open)
      setTimeout(() => run.end(hs.failed, words), err.status >= 500 && err.status !== 503 ? 400 : 0);
    });
    return run;
  }
  function scanning() { return !!scanRun; }
  function scanEvent(e) {
    const run = scanRun;
    if (!run || !e || typeof e.type !== 'string' || !e.type.startsWith('scan.')) return;
    if (e.type === 'scan.page' && typeof e.page === 'number') run.hs.page(e.page);
    else if (e.type === 'scan.done' && e.material_id) run.end(run.hs.done, { material_id: e.material_id, pages: e.pages });
    else if (e.type === 'scan.failed') run.end(run.hs.failed, e.error || t('err.server'));
  }

  // ---- the page viewer -------------------------------------------------------
  // An in-page modal (a <dialog>, not a pop-up window) that shows one page
  // large: Esc or the close button closes it and focus goes back to the
  // thumbnail that opened it; the arrow keys and two buttons turn pages.
  // pages: [{src, alt}], title(i) names page i.
  let viewer = null;
  function pageViewer() {
    if (viewer) return viewer;
    const title = h('h2', { id: 'viewer-title' });
    const status = h('p', { class: 'hint', id: 'viewer-status', role: 'status' });
    const img = h('img', { id: 'viewer-img', alt: '' });
    const prev = h('button', { type: 'button', class: 'secondary', dataset: { action: 'viewer-prev' }, onclick: () => show(v.i - 1) });
    const next = h('button', { type: 'button', class: 'secondary', dataset: { action: 'viewer-next' }, onclick: () => show(v.i + 1) });
    const close = h('button', { type: 'button', dataset: { action: 'viewer-close' }, onclick: () => dlg.close() });
    const dlg = h('dialog', { class: 'viewer', id: 'viewer', 'aria-labelledby': 'viewer-title' },
      h('div', { class: 'viewer-bar' }, title, h('div', { class: 'row' }, prev, next, close)),
      status,
      h('div', { class: 'viewer-page' }, img));
    const v = { dlg, pages: [], i: 0, title: null, opener: null };
    function labels() {
      prev.textContent = t('pv.prev');
      next.textContent = t('pv.next');
      close.textContent = t('pv.close');
      close.setAttribute('aria-label', t('pv.close.aria'));
    }
    function show(i) {
      if (i < 0 || i >= v.pages.length) return;
      v.i = i;
      const p = v.pages[i];
      title.textContent = v.title(i);
      status.textContent = t('pv.loading');
      img.alt = p.alt;
      img.removeAttribute('src');
      img.src = p.src;
      prev.disabled = i === 0;
      next.disabled = i === v.pages.length - 1;
      if (document.activeElement === prev && prev.disabled) next.focus();
      if (document.activeElement === next && next.disabled) (prev.disabled ? close : prev).focus();
    }
    img.addEventListener('load', () => { status.textContent = ''; });
    img.addEventListener('error', () => { if (img.getAttribute('src')) status.textContent = t('pv.error'); });
    dlg.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowLeft') { show(v.i - 1); e.preventDefault(); }
      if (e.key === 'ArrowRight') { show(v.i + 1); e.preventDefault(); }
    });
    dlg.addEventListener('close', () => {
      img.removeAttribute('src');
      const o = typeof v.opener === 'function' ? v.opener() : v.opener;
      if (o && o.isConnected) o.focus();
    });
    langListeners.push(() => { labels(); if (dlg.open) show(v.i); });
    labels();
    document.body.append(dlg);
    v.open = (pages, i, titleFn, opener) => {
      v.pages = pages;
      v.title = titleFn;
      v.opener = opener || document.activeElement;
      if (!dlg.open) dlg.showModal();
      show(i);
      close.focus();
    };
    v.close = () => { if (dlg.open) dlg.close(); };
    viewer = v;
    return v;
  }

  // ---- a terminal node's link to the hall node ---------------------------
  // On a terminal node (config terminal_node) a banner says at once when the
  // hall node cannot be reached, and on a kiosk how many tickets it can
  // still issue offline. Fed by GET /api/v1/upstream and upstream.status.
  const upstream = { online: true, left: {}, pending: 0, kiosk: false };
  function upstreamBanner() {
    let el = document.getElementById('upstream-banner');
    if (!el) {
      el = h('div', { id: 'upstream-banner', class: 'banner upstream', role: 'status', 'aria-live': 'polite', hidden: true });
      const conn = document.getElementById('conn-banner');
      if (conn && conn.parentNode) conn.parentNode.insertBefore(el, conn.nextSibling); else document.body.prepend(el);
    }
    return el;
  }
  function renderUpstream() {
    if (!CFG.terminal_node) return;
    const el = upstreamBanner();
    if (upstream.online) { el.hidden = true; el.textContent = ''; return; }
    let left = 0;
    for (const k of Object.keys(upstream.left || {})) left += upstream.left[k] || 0;
    let msg = upstream.kiosk ? (left > 0 ? t('up.away.kiosk', { left }) : t('up.away.kiosk.none')) : t('up.away.staff');
    if (upstream.pending > 0) msg += t('up.pending', { n: upstream.pending });
    el.textContent = msg;
    el.hidden = false;
  }
  // watchUpstream starts the banner; kiosk: the page issues tickets.
  async function watchUpstream(kiosk) {
    if (!CFG.terminal_node) return;
    upstream.kiosk = !!kiosk;
    langListeners.push(renderUpstream);
    try {
      const d = await api('GET', '/api/v1/upstream');
      if (d && d.upstream) {
        upstream.online = d.upstream.online;
        upstream.left = d.upstream.offline_left || {};
        upstream.pending = d.upstream.pending || 0;
      }
    } catch (e) { /* the event says it later */ }
    renderUpstream();
  }
  // upstreamEvent takes an upstream.status event or a ticket answer
  // (offline_left); it returns true when it was one.
  function upstreamEvent(e) {
    if (!e || e.type !== 'upstream.status') return false;
    upstream.online = !!e.online;
    upstream.left = e.offline_left || upstream.left;
    renderUpstream();
    return true;
  }
  function upstreamTicket(r, zone) {
    if (!r || !r.offline) return;
    upstream.online = false;
    if (r.offline_left != null) upstream.left = Object.assign({}, upstream.left, { [zone || r.zone]: r.offline_left });
    renderUpstream();
  }

  window.App = {
    watchUpstream, upstreamEvent, upstreamTicket,
    CFG, t, tNodes, setLang, codeText, messagesReady, get lang() { return lang; }, onLang: (fn) => langListeners.push(fn),
    applyI18n, zoneName, zoneByID, reasonName, h, $, put, maskName, maskID, maskPhone,
    init, get token() { return token; }, api, ApiError, errorText, uuid, showPageAlert,
    Events, header, setElder, isElder, onElder: (fn) => elderListeners.push(fn), loadPrefs, savePrefs,
    debounce, hallDay, hallTime, serverNow,
    me, staffGate, pageURL, authURL, apiBlob, runScan, scanning, scanEvent, viewer: pageViewer,
  };
})();
