# ringbridge 坐席面板 — 简体中文

nav-panel = 通话
panel-title = 坐席面板
panel-your-extension = 您的分机：{ $extension }
panel-no-extension = 您的账户尚未设置分机。请联系管理员设置；在此之前，来电不会显示在此面板。
panel-not-live = 实时通话不可用：电话系统尚未连接。
panel-zoho-pops = Zoho CRM 会自行显示您的来电（PhoneBridge 模式）：本面板不会自动打开标签页；需要时请点击“在 Zoho 中打开”。
panel-offline = 已离线：实时通话无法到达此页面。正在重新连接…

## Pop-ups
panel-popup-blocked = 浏览器拦截了弹出的客户记录。
panel-popup-how = 若要让 ringbridge 自动打开 CRM 记录，请允许此网站的弹出窗口：点击地址栏右侧的“已拦截弹出窗口”图标，选择“始终允许弹出窗口”（或在 设置 › 隐私 › 网站设置 › 弹出式窗口 中添加此网站）。
panel-popup-fallback = 在此之前，ringbridge 可以显示桌面通知，点击通知即可打开记录。
panel-notify-denied = 此网站的桌面通知也被阻止，因此无法自动弹出记录。请在网站设置（地址栏左侧的图标）中允许弹出窗口或通知，或使用每个通话上的“在 Zoho 中打开”按钮打开记录。
panel-notify-enable = 使用桌面通知
panel-dismiss = 关闭
panel-notify-title = 来电

## Dialling
panel-dial-label = 拨打号码
panel-dial = 拨打
panel-dial-started = 正在呼叫：您的话机会先响铃，接听后将拨打该号码。
panel-dial-failed = 无法发起呼叫：
panel-dial-refused-country = { $number } 属于 { $country }，此处不允许拨打该国家/地区的号码。如需拨打，请联系管理员。
panel-dial-refused-type = { $number } 是{ $kind }号码，不允许拨打此类号码。如需拨打，请联系管理员。
panel-dial-refused-prefix = 管理员已禁止拨打 { $number }。
panel-number-kind-premium_rate = 高额付费
panel-number-kind-shared_cost = 分摊费用
panel-number-kind-toll_free = 免费
panel-number-kind-fixed_line = 固定电话
panel-number-kind-mobile = 手机
panel-number-kind-personal_number = 个人
panel-number-kind-voip = VoIP
panel-number-kind-pager = 寻呼
panel-number-kind-uan = 企业统一
panel-number-kind-voicemail = 语音信箱
panel-call-this = 拨打此号码

## Live calls
panel-live-title = 当前通话
panel-no-calls = 目前没有通话。
panel-state-ringing = 振铃中
panel-state-talking = 通话中
panel-state-ended = 已结束
panel-answered-elsewhere = 已由同事接听
panel-unknown = 未知来电
panel-not-linked = 尚未关联到 CRM
panel-open-in-zoho = 在 Zoho 中打开
panel-choose-record = 多条记录使用此号码，请选择：
panel-module-Contacts = 联系人
panel-module-Leads = 潜在客户
panel-module-Accounts = 客户
panel-module-Deals = 商机

## Creating records
panel-create-contact = 创建联系人
panel-create-lead = 创建潜在客户
panel-create-intro = 将在 Zoho CRM 中用此号码创建记录，并把这通电话关联到该记录。
panel-first-name = 名
panel-last-name = 姓
panel-company = 公司
panel-create-submit = 创建
panel-cancel = 取消
panel-created = 已在 Zoho CRM 中创建。
panel-existed = 此来电者已在 Zoho CRM 中；将使用现有记录（未创建重复记录）。
panel-create-failed = 无法创建记录：
panel-link-when_logged = 这通电话的记录将关联到它。
panel-link-queued = 这通电话待写入的记录已关联到它。
panel-link-updated = Zoho 中这通电话的记录已更新并关联到它。
panel-link-not_logged = 这通电话不记录，因此无需关联。
panel-link-log_failed = 这通电话的记录写入失败；管理员可以重试。
panel-link-busy = 这通电话的记录正在写入；稍后会自动关联到该记录。

## Recent calls
panel-recent-title = 最近通话
panel-no-recent = 还没有通话。
panel-col-time = 时间
panel-col-direction = 方向
panel-col-number = 号码
panel-col-record = CRM 记录
panel-col-log = CRM 通话记录
panel-col-recording = 录音
panel-direction-inbound = 呼入
panel-direction-outbound = 呼出
panel-direction-internal = 内部
panel-missed = 未接
panel-log-queued = 排队中
panel-log-written = 已记录
panel-log-failed = 失败
panel-log-not_logged = 不记录
panel-play = 播放
panel-now-playing = 正在播放：

## Settings
panel-settings-title = 弹出客户记录
panel-settings-intro = 在新标签页中打开来电者的 CRM 记录：
panel-pop-ringing = 来电振铃时
panel-pop-answer = 我接听时
panel-pop-hangup = 通话结束时
panel-ended-linger = 已结束的通话从“当前通话”中移除的时间
panel-linger-30s = 30 秒后
panel-linger-2min = 2 分钟后
panel-linger-10min = 10 分钟后
panel-linger-keep = 不移除（保留最近五个）
panel-saved = 已保存。
panel-tel-intro = 让其他网站上的电话号码链接（tel:）打开此面板，准备拨号。
panel-register-tel = 处理电话链接
panel-record-hidden = 一条您无权打开的 CRM 记录
panel-no-crm-details = 没有 CRM 详情
panel-no-crm-why = 您的 Zoho 访问权限已被撤销或已过期，因此 ringbridge 不会显示任何 CRM 信息。请重新使用 Zoho 登录。

## Call notes
panel-add-note = 添加备注
panel-note-label = 备注
panel-note-result = 通话结果
panel-note-no-result = （无结果）
panel-note-save = 保存备注
panel-note-close = 关闭
panel-note-saved = 已保存。备注会写入 Zoho CRM 中这通电话的记录：随记录一起写入，或在记录写入后追加。
panel-note-busy = 上一个版本仍在写入中。请稍后再保存；您输入的内容已保留。
panel-note-failed = 备注无法保存：
panel-note-error-not_your_call = 您只能为自己处理的电话添加备注。
panel-note-error-note_empty = 请填写备注或选择通话结果。
panel-note-error-note_too_long = 备注过长（最多 4000 个字符）。
panel-note-error-bad_result = 该通话结果不在您的 CRM 的可选值中。
