# ringbridge 管理控制台 — 简体中文

console-title = 控制台
console-nav-dashboard = 概览
console-nav-pbx = 电话系统
console-nav-zoho = Zoho CRM
console-nav-mode = 模式
console-nav-users = 用户
console-nav-settings = 设置

console-client-id = 客户端 ID
console-client-secret = 客户端密钥
console-secret-kept = 留空则保留已保存的密钥。
console-none = 暂无内容。
console-error-refused = 对方拒绝：{ $detail }
console-error-unreachable = 无法连接：{ $detail }
console-error-not-ready = 暂时无法完成：{ $detail }

## 电话系统
console-pbx-title = 连接电话系统
console-pbx-intro = 输入 Yeastar PBX 的地址及其 API 客户端（PBX 上的“集成 → API”）。
console-pbx-url = PBX 地址
console-pbx-insecure = 接受自签名证书
console-pbx-test = 测试连接
console-pbx-save = 测试并保存
console-pbx-tested = 连接正常。
console-pbx-saved = 连接正常，已保存。
console-pbx-model = 型号
console-pbx-version = 固件版本
console-pbx-extensions = 分机数
console-pbx-bad-url = 请按 https://主机:端口 的格式输入 PBX 地址。
console-pbx-bad-client-id = 请输入 API 客户端 ID。
console-pbx-need-secret = 请输入 API 客户端密钥。

## Zoho
console-zoho-title = 连接 Zoho CRM
console-zoho-intro = 选择您的 Zoho 数据中心，并输入您在 Zoho API 控制台注册的客户端。随后将在 Zoho 自己的页面上请求您授权 ringbridge 访问。
console-zoho-redirect = 请为该客户端注册此重定向 URI：
console-zoho-centre = 数据中心
console-zoho-connect = 连接到 Zoho
console-zoho-connected = 已连接到 Zoho（{ $domain }）。
console-zoho-denied = Zoho 未授予访问权限。请重试，并在 Zoho 页面上允许访问。
console-zoho-continue = 前往 Zoho
console-zoho-continue-help = 客户端已保存。请在 Zoho 页面上允许 ringbridge 访问：
console-zoho-bad-centre = 请选择数据中心。
console-zoho-bad-client-id = 请输入 Zoho 客户端 ID。
console-zoho-need-secret = 请输入 Zoho 客户端密钥。

## 模式
console-mode-title = 通话如何写入 CRM
console-mode-rest = REST 通话记录
console-mode-rest-help = ringbridge 将每通电话写入 Zoho 的“通话”模块，适用于所有版本。
console-mode-phonebridge = Zoho PhoneBridge
console-mode-phonebridge-help = Zoho 显示自己的通话栏和弹屏，支持点击拨号，并自行记录通话。
console-mode-current = 通话写入 CRM 的方式：{ $mode }
console-mode-save = 保存模式
console-mode-pick = 请选择一种模式。

## 用户
console-users-title = 用户与分机
console-users-intro = 分机按电子邮件自动匹配 Zoho 用户。选择一个用户即可手动配对分机。
console-users-name = PBX 上的名称
console-users-email = 电子邮件
console-users-user = Zoho 用户
console-users-auto = 按电子邮件匹配
console-users-save = 保存
console-users-matched = 按电子邮件匹配：{ $name }
console-users-manual = 手动配对：{ $name }
console-users-none = 无 Zoho 用户
console-users-unknown = 该 Zoho 用户不存在或已停用。

## 设置
console-settings-title = 设置
console-settings-saved = 设置已保存。
console-settings-save = 保存设置
console-settings-logged = 记录哪些通话
console-settings-inbound-answered = 呼入，已接听
console-settings-inbound-missed = 呼入，未接
console-settings-outbound-answered = 呼出，已接听
console-settings-outbound-unanswered = 呼出，未接听
console-settings-internal = 内部通话
console-settings-voicemail = 语音信箱
console-settings-min-talk = 跳过通话时长短于此值的已接听通话（秒）
console-settings-templates = 主题与描述
console-settings-placeholders = 占位符：{"{"}direction{"}"} {"{"}number{"}"} {"{"}name{"}"} {"{"}extension{"}"} {"{"}agent{"}"} {"{"}duration{"}"} {"{"}call_id{"}"} {"{"}via{"}"} {"{"}started_at{"}"}
console-settings-subject = 主题
console-settings-description = 描述
console-settings-pop = 弹屏（坐席默认设置）
console-settings-pop-ringing = 电话响铃时
console-settings-pop-answer = 通话接通时
console-settings-pop-hangup = 通话结束时
console-settings-unknown = CRM 中不存在的号码
console-settings-unknown-inbound = 呼入通话
console-settings-unknown-outbound = 呼出通话
console-settings-unknown-nothing = 仅记录通话
console-settings-unknown-contact = 创建联系人
console-settings-unknown-lead = 创建线索
console-settings-numbers = 号码与联系人
console-settings-phonebook = 用于 CRM 联系人的 PBX 电话簿（留空：不同步联系人）
console-settings-country = 默认国家/地区（两个字母，如 CN）
console-settings-recording = 通话记录中的录音链接
console-settings-recording-until-revoked = 链接在撤销前一直有效
console-settings-recording-expire = 链接会过期
console-settings-recording-off = 不附链接
console-settings-recording-days = 链接有效天数
console-settings-recording-sign-in = 播放录音还需要登录 ringbridge
console-settings-bad-min-talk = 请以整秒输入最短通话时长（不超过 3600）。
console-settings-bad-subject = 主题为空或使用了未知的占位符。
console-settings-bad-description = 描述使用了未知的占位符。
console-settings-bad-unknown = 请选择如何处理未知号码。
console-settings-bad-phonebook = 电话簿名称最多 64 个字符。
console-settings-bad-country = 请用两个字母输入国家/地区，如 CN 或 US。
console-settings-bad-recording = 会过期的链接需要 1 到 3650 之间的天数。

## 概览
console-setup = 设置向导
console-step-pbx = 连接电话系统
console-step-zoho = 连接 Zoho CRM
console-step-mode = 选择模式
console-step-users = 检查用户与分机
console-setup-complete = 设置已完成。
console-links = 连接状态
console-link-pbx = 电话系统
console-link-crm = Zoho CRM
console-link-not-configured = 未配置
console-link-starting = 正在启动
console-link-connected = 已连接
console-link-failed = 出现故障：{ $detail }
console-link-reconnect = 需要重新连接：{ $detail }
console-link-reconnect-why = Zoho 已不再接受 ringbridge 的授权。通话记录会在队列中等待，重新连接 Zoho 后写入。
console-link-reconnect-action = 重新连接 Zoho
console-jobs = 同步任务
console-jobs-pending = 等待中
console-jobs-failed = 失败
console-jobs-done = 已完成
console-job-kind = 任务
console-job-what = 内容
console-job-error = 错误
console-job-attempts = 尝试次数
console-job-next = 下次尝试
console-job-retry = 重试
console-job-process-call = 处理通话
console-job-write-call-log = 写入通话记录
console-job-create-record = 创建记录
console-job-sync-phonebook = 同步电话簿
console-job-notify-phonebridge = 通知 PhoneBridge
console-calls = 最近通话
console-call-when = 时间
console-call-written = 写入位置
console-call-in-crm = Zoho 通话记录 { $id }
console-call-in-phonebridge = Zoho PhoneBridge（通话 { $id }）
console-writes = 最近写入
console-write-failed = 失败
