# 确认、询问与控制台后续页面 — 简体中文

## 上一步操作的结果（在下一页显示一行）
flash-mode = 模式已保存。接下来请检查每个分机为哪个 CRM 用户记录通话。
flash-user = 分机已与所选 CRM 用户配对。
flash-user-auto = 分机已恢复为按电子邮件匹配。
flash-zoho = Zoho CRM 已连接。接下来请选择模式。
flash-link-revoked = 录音链接已撤销。
flash-key-rotated = 签名密钥已轮换：之前的所有录音链接均已失效。
flash-account-created = 账户已创建。
flash-account-saved = 账户已保存。
flash-account-disabled = 账户已停用：其会话和 API 令牌均已结束。
flash-account-enabled = 账户已启用。
flash-account-deleted = 账户已删除。
flash-tokens-revoked = 该账户的 API 令牌已撤销。
flash-session-ended = 会话已结束。
flash-token-revoked = API 令牌已撤销。
flash-zoho-revoked = 已撤销此账户的 Zoho 访问权限。

console-cancel = 取消

## 断开 Zoho 前先确认
console-zoho-disconnect-title = 断开 Zoho CRM？
console-zoho-disconnect-question = ringbridge 将停止写入 { $domain } 上的 Zoho CRM，Zoho 将撤销其访问权限。
console-zoho-disconnect-yes = 是，断开 Zoho

## 只有每个分机都对应一个有效用户时，设置才算完成
console-users-unmapped-count = { $count } 个分机没有对应的 Zoho 用户：其通话不会记录到任何人名下。
console-users-inactive-count = { $count } 个分机配对的用户在 Zoho 中为非活动状态。
console-users-inactive = 在 Zoho 中为非活动：{ $name }
console-users-unchecked = 无法检查用户：{ $detail }
console-setup-incomplete = 设置尚未完成：部分分机的通话不会记录到任何人名下。
console-setup-incomplete-fix = 去配对

## 账户：分机从 PBX 的列表中选择
accounts-extension-none = — 无 —
accounts-extension-not-on-pbx = 不在 PBX 上
accounts-extension-taken-by = 已属于 { $username }
accounts-extension-unknown = 分机 { $extension } 不在电话系统中（该系统共有 { $count } 个分机）。请从列表中选择。
accounts-extension-taken = 分机 { $extension } 已属于 { $username }。每个分机只能属于一个账户。
accounts-extension-unread = 无法读取电话系统的分机，因此接受任意数字：{ $detail }
accounts-extension-shared = 也属于 { $username }
accounts-edit = 编辑
accounts-edit-title = 编辑账户
accounts-edit-save = 保存更改
accounts-last-admin-role = 最后一个启用的管理员必须保持管理员角色。

## 复制按钮；主页上的浏览器扩展
copy = 复制
copy-done = 已复制
copy-failed = 请手动选中并复制
home-extension-title = 浏览器扩展
home-extension-intro = 在 Zoho CRM 页面上点击号码即可拨号，面板关闭时也能弹屏（Chrome、Edge 及其他 Chromium 浏览器）。
home-extension-download = 下载扩展（.zip）
home-extension-step-unzip = 将其解压到一个会保留的文件夹。
home-extension-step-load = 打开 chrome://extensions，开启“开发者模式”，点击“加载已解压的扩展程序”并选择该文件夹。
home-extension-step-token = 在下方创建令牌，打开扩展的选项，输入本服务器的地址和该令牌。

## Zoho：手动输入的账户服务器
console-zoho-custom = 其他账户服务器
console-zoho-custom-url = 账户服务器地址
console-zoho-custom-help = 用于未列出的 Zoho 数据中心，或 Zoho 模拟器（ringbridge sim zoho 会打印其账户服务器）。须为 HTTPS，仅本机可用 http://。
console-zoho-custom-missing = 请输入账户服务器地址，例如 https://accounts.zoho.com。
console-zoho-custom-bad = 账户服务器必须是类似 https://accounts.zoho.com 的普通地址（不含用户名、查询参数或片段）。
console-zoho-custom-https = 账户服务器必须使用 https://（仅 127.0.0.1 或 localhost 可用 http://）：客户端密钥会发送给它。

## PhoneBridge 模式下的仪表板
console-pb-users = Zoho PhoneBridge 中的用户
console-pb-state = 在 Zoho
console-pb-registered = 已注册：Zoho 的通话栏通过 ringbridge 拨号
console-pb-not-registered = 未注册：Zoho 拒绝了或尚未请求（请查看日志）
console-pb-call-received = { $number } 呼入分机 { $extension }
console-pb-call-dialed = 分机 { $extension } 呼出 { $number }
console-pb-call-missed = { $number } 呼入分机 { $extension } 未接
