import { Text, View } from '@tarojs/components';
import type { ReactNode } from 'react';
import { couponFace, couponTerms } from '../services/couponFormat';
import type { Coupon } from '../services/loopline';

type Valued = Pick<Coupon, 'type' | 'valueFen' | 'thresholdFen' | 'percentOff' | 'maxDiscountFen' | 'giftName' | 'name'>;

/** A coupon drawn as a ticket: the value on the left, name and terms on the right, an action slot. */
export function CouponTicket({
  coupon,
  sub,
  subMasked,
  dim,
  className,
  onClick,
  children,
}: {
  coupon: Valued;
  sub?: string;
  /** The sub line changes from run to run (a date, a code). */
  subMasked?: boolean;
  dim?: boolean;
  className?: string;
  onClick?: () => void;
  children?: ReactNode;
}) {
  return (
    <View className={`ticket ${dim ? 'ticket-dim' : ''} ${className ?? ''}`} onClick={onClick}>
      <View className='ticket-face'>
        <Text className='ticket-value'>{couponFace(coupon)}</Text>
      </View>
      <View className='ticket-body'>
        <Text className='ticket-name dyn'>{coupon.name}</Text>
        {coupon.type === 'gift' && coupon.giftName && <Text className='ticket-terms dyn'>{coupon.giftName}</Text>}
        <Text className='ticket-terms'>{couponTerms(coupon)}</Text>
        {sub && <Text className={`ticket-sub ${subMasked ? 'mask' : ''}`}>{sub}</Text>}
      </View>
      {children && <View className='ticket-action'>{children}</View>}
    </View>
  );
}
