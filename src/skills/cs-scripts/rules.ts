import type { Intent } from './intents.js';

/**
 * The clear cases, matched against the normalized message (simplified, lower case, typos fixed). Each
 * match adds its weight to the intent; the nearest examples decide the rest. A rule here must be one
 * a person would call obvious: most matches mean this intent.
 */
export interface Rule {
  readonly intent: Intent;
  readonly pattern: RegExp;
  readonly weight: number;
  /** Not when the message also matches this (发 of 福袋 is not 发货). */
  readonly unless?: RegExp;
}

export const RULES: readonly Rule[] = [
  // Before the parcel leaves.
  { intent: 'shipping', pattern: /(待|未|没|没有|不|快点|尽快|加急|优先|什么时候|多久|几天|几号|今天|明天|当天|马上|能|可以|啥时)(能|可以|给我)?发(货|出|走)/, weight: 1 },
  { intent: 'shipping', pattern: /发货了(没|吗|么)|催.{0,4}发|还没发|发货时间|预售.{0,8}发|加急|等发货|(多久|几号|几天|什么时候|哪天)(才|能|可以)?发(?!票|券|福袋|红包)|(when|yet).{0,30}\bship|\bdispatch|not (been )?shipped/, weight: 1, unless: /券|福袋|红包|发票/ },
  // After it left.
  { intent: 'logistics', pattern: /物流|快递.{0,8}(不动|没动|没更新|停|卡|丢|慢|退回)|到哪(了|里|儿)|签收|没收到|没到|还没到|派送|派件|驿站|丢件|丢了|查不到|退回|拒收|运输中|中转|tracking|\btrack|delivered|parcel|package.{0,30}(stuck|lost|where)/, weight: 1 },
  // About the order itself.
  { intent: 'special_request', pattern: /顺丰|\bsf\b|京东快递|\bems\b|邮政|指定.{0,4}快递|改.{0,3}地址|地址.{0,6}(改|换|错)|换.{0,3}地址|备注|发票|抬头|税号|价格(单|标签|牌)|小票|吊牌|送人|礼物|礼盒|合并|一起发|invoice|address|gift/, weight: 1.2 },
  { intent: 'special_request', pattern: /(发|用|走|要|不要|换).{0,2}(韵达|圆通|中通|申通|极兔|德邦|京东|邮政)|寄到|改成寄|ship (it )?with|no receipt|don't put/, weight: 1 },
  // Returning, exchanging, refunding.
  { intent: 'return_refund', pattern: /退货|退款|退钱|换货|换(个|一个|一)?(码|尺码|大|小|颜色|色|号)|换\s?(xs|s|m|l|xl|xxl|xxxl|\dxl)\b|退(掉|了)?一(件|个|单)|无理由|运费险|退.{0,3}运费|寄回|退回去|退换|\breturn(?!ed)|refund|exchange/, weight: 1.2, unless: /(不用|不需要|不想|不要)(退|换)|不退了|不换了/ },
  // Unhappy.
  { intent: 'complaint', pattern: /差评|投诉|12315|垃圾|太差|好差|真差|破(了|损|的|洞)|坏(了|的)|碎了|发错|少发|漏发|假货|色差|掉色|起球|(和|跟|与|同).{0,12}不一样|不一样啊|货不对板|不符|骗|态度|没人(理|回)|不回(消息|复)?|失望|气死|恶心|无语|坑|质量.{0,4}(差|问题|不好)|线头|压扁|烂了|发霉|过期|怎么搞|搞什么|没解决|推来推去|踢皮球|说话.{0,2}冲|就这样对待|根本没有|这也叫|wrong item|broken|damaged|terrible|worst|fake|scam|complain|unacceptable|ridiculous|totally different/, weight: 1.2 },
  // Price.
  { intent: 'coupon', pattern: /券|优惠|折扣|打折|满减|满\d+减|红包|福袋|便宜|降价|砍价|少点|包邮|价保|\bcoupon|discount|cheaper|promo|\bdeal\b|voucher/, weight: 1.3 },
  { intent: 'coupon', pattern: /什么价|多少钱|有活动|活动价|老(客户|粉)价|积分|抵现|太贵|贵了|补差价|行不行|\bprice/, weight: 0.8 },
  // The goods.
  { intent: 'product', pattern: /尺码|码数|多大码|什么码|几码|身高|体重|材质|面料|成分|保质期|规格|适合|能用吗|可以用吗|孕妇|敏感肌|有货|有没有货|库存|补货|缺货|色号|\bsize|material|in stock|ingredient|suitable/, weight: 1 },
  { intent: 'product', pattern: /有\s?(xs|s|m|l|xl|xxl|xxxl|\dxl)(码|号)?\b|怎么用|用几次|几个月|能用多久|区别|微波炉|正品吗|防伪|能吃吗|哺乳|装(得)?下|尺码表|洗衣机|(什么|别的|其他|其它|不一样的)颜色|颜色.{0,3}(有|吗)|会不会(掉|起|缩)|\bcome in\b/, weight: 1 },
  // The live streams.
  { intent: 'live', pattern: /直播|开播|回放|下播|几号链接|\d+号链接|上新|还播|今晚.{0,3}播|谁播|播吗|上什么|什么品|\blive\b|stream|replay/, weight: 1 },
  // Paying.
  { intent: 'payment', pattern: /付款|支付|付不了|付钱|花呗|分期|信用卡|微信支付|支付宝|扣款|扣钱|待付款|未付款|没付|订单.{0,6}取消|取消了|下单失败|拍不了|考虑一下|再想想|犹豫|再付|发工资|月付|对公|转账|\bpay\b|payment|installment|checkout/, weight: 1 },
  // Greetings, thanks, and nothing else.
  {
    intent: 'other',
    pattern: /^((亲们?|你好|您好|在吗|在不在|有人吗|hi|hello|hey|谢谢|谢了|感谢|多谢|好的|好滴|好吧|ok|okay|收到|知道了|嗯+|哦+|哈+|thanks?|thank you|bye|拜拜|晚安|早安?|辛苦了?|新年快乐|节日快乐)[啊呀哦吗啦了哈～~!！。.，,?？\s]*)+$/,
    weight: 2,
  },
  { intent: 'other', pattern: /发错人|打扰了|好(有气质|美|漂亮|帅|可爱|看)|爱了|晚安|快乐/, weight: 0.8 },
];
