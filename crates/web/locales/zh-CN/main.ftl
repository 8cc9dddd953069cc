# ringbridge 页面 — 简体中文

## 导航
nav-home = 首页
nav-accounts = 账户
nav-language = 语言
nav-logout = 退出登录

## 字段
field-username = 用户名
field-display-name = 显示名称
field-password = 密码
field-password-confirm = 再次输入密码
field-role = 角色
field-extension = 分机号

role-admin = 管理员
role-agent = 坐席

## 登录
login-title = 登录 ringbridge
login-submit = 登录
login-failed = 用户名或密码错误。
login-too-many = 失败次数过多，请在 { $minutes } 分钟后重试。

## 首次运行
setup-title = 设置 ringbridge
setup-intro = 请创建管理员账户。登录后再连接电话系统和 CRM。
setup-submit = 创建管理员

## 首页
home-title = 首页
home-signed-in-as = 当前用户：{ $name }

tokens-title = 浏览器扩展令牌
tokens-intro = ringbridge 浏览器扩展使用令牌登录。请为每个浏览器创建一个令牌，并吊销不再使用的令牌。
tokens-new = 请立即将此令牌复制到扩展中，它不会再次显示。
tokens-none = 您还没有令牌。
tokens-name = 标签
tokens-prefix = 令牌
tokens-created = 创建时间
tokens-last-used = 最近使用
tokens-never = 从未
tokens-revoke = 吊销
tokens-create = 创建令牌
tokens-default-name = 浏览器扩展
tokens-scopes = 权限
tokens-expires = 到期时间
tokens-no-expiry = 永不过期
tokens-lifetime = 有效期
tokens-days = { $days } 天
scope-dial = 拨打电话（点击拨号）
scope-calls-read = 查看我的通话（实时通话、最近通话、弹屏设置）
scope-records-read = 在 CRM 中按号码查找
scope-records-write = 创建 CRM 记录并关联通话

## 账户（管理员）
accounts-title = 账户
accounts-status = 状态
accounts-active = 启用
accounts-disabled = 已停用
accounts-create = 新建账户
accounts-submit = 创建账户
accounts-actions = 操作
accounts-disable = 停用
accounts-enable = 启用
accounts-revoke-tokens = 撤销 API 令牌
accounts-delete = 删除
accounts-last-admin = 最后一个启用的管理员既不能停用也不能删除。
accounts-details = 会话与令牌
tokens-none-for-account = 此账户没有 API 令牌。

## 表单问题
form-username-empty = 请输入用户名。
form-username-long = 用户名最多 64 个字符。
form-username-chars = 用户名只能包含字母 a–z、数字以及 . _ @ -
form-username-taken = 该用户名已被使用。
form-display-name = 请输入显示名称，最多 100 个字符。
form-password-short = 密码至少需要 12 个字符。
form-password-long = 密码太长。
form-password-mismatch = 两次输入的密码不一致。
form-extension = 分机号只能是数字（最多 16 位）。

## 错误
error-bad-request = 无法理解该请求。
error-unauthorized = 请先登录。
error-forbidden = 您无权执行此操作。
error-csrf = 此表单已过期或并非来自 ringbridge。请返回，刷新页面后重试。
error-not-found = 此处没有内容。
error-too-many = 请求过多，请稍候再试。
error-internal = 服务器出错。请重试；如果问题持续出现，请联系管理员。
error-back = 返回首页

## 修改密码
password-title = 设置新密码
password-required = 管理员重置了您的密码。请先设置新密码再继续。
password-current = 当前密码
password-submit = 保存密码
password-wrong = 当前密码不正确。
password-same = 新密码必须与当前密码不同。
accounts-reset-password = 重置密码
accounts-reset-done = { $username } 的新密码。请立即转交：它不会再次显示，且下次登录时必须修改。

## 会话
sessions-title = 已登录的浏览器
sessions-none = 没有已登录的浏览器。
sessions-created = 登录时间
sessions-last-seen = 最近活动
sessions-address = 地址
sessions-browser = 浏览器
sessions-unknown = 未知
sessions-this-browser = 当前浏览器
sessions-end = 退出登录
sessions-end-others = 退出所有其他浏览器
sessions-end-all = 在所有位置退出登录

# Sign in with Zoho
zoho-signin-button = 使用 Zoho 登录
zoho-signin-expired = 此次登录已过期或已被使用。请重新开始。
zoho-signin-forged = 此次登录不是在此浏览器中发起的。请重新开始。
zoho-signin-unavailable = 暂时无法使用 Zoho 登录。
zoho-signin-refused = Zoho 拒绝了登录：{ $reason }
zoho-signin-unmapped = Zoho 用户 { $email } 尚未与电话分机配对。请联系管理员配对后再登录。
zoho-signin-disabled = { $email } 的账户已停用。
zoho-signin-taken = 用户名 { $email } 属于另一个账户。请联系管理员。
zoho-signout-everywhere = 在所有位置退出登录并撤销 Zoho 访问
accounts-revoke-zoho = 撤销 Zoho 访问
accounts-zoho-grant = 已授予 Zoho 访问
