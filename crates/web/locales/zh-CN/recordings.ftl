# 无法播放录音时显示的页面 — 简体中文

recording-ask = 请向您的 ringbridge 管理员索取新链接。
recording-malformed-title = 这不是有效的录音链接
recording-malformed-text = 复制时链接可能被截断了。
recording-altered-title = 此录音链接已被篡改
recording-altered-text = 此链接并非 ringbridge 原样签发，因此无法播放。
recording-retired-title = 此录音链接已不再被接受
recording-retired-text = 它使用的签名密钥已被本服务器停用。
recording-expired-title = 此录音链接已过期
recording-expired-text = 它的有效期至 UTC { $until }。
recording-revoked-title = 此录音链接已被撤销
recording-revoked-text = 管理员已撤销对此录音的访问权限。
recording-none-title = 此通话没有录音
recording-none-text = ringbridge 没有此通话的录音。
recording-gone-title = 电话系统上已没有此录音
recording-gone-text = 电话系统已不再保存此录音，可能已被删除或归档。
recording-pbx-down-title = 无法连接电话系统
recording-pbx-down-text = ringbridge 无法从电话系统获取录音。请几分钟后重试。
recording-unavailable-title = 录音暂时不可用
recording-unavailable-text = ringbridge 目前无法校验此链接。请几分钟后重试。
recording-disabled-title = 录音链接已关闭
recording-disabled-text = 管理员已关闭录音链接。
recording-sign-in-title = 登录后播放此录音
recording-sign-in-text = 管理员要求您先登录 ringbridge。请登录后重新打开此链接。
