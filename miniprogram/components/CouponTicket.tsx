import { Text, View } from '@tarojs/components';
import type { ReactNode } from 'react';
import { couponFace, couponTerms } from '../services/couponFormat';
import type { Coupon } from '../services/loopline';

type Valued = Pick<Coupon, 'type' | 'valueFen' | 'thresholdFen' | 'percentOff' | 'maxDiscountFen' | 'giftName' | 'name'>;

/** A coupon drawn as a ticket: the value on the left, name and terms on the right, an action slot. */
export function CouponTicket({
  coupon,
  sub,
  dim,
  className,
  onClick,
  children,
}: {
  coupon: Valued;
  sub?: string;
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
        <Text className='ticket-name'>{coupon.name}</Text>
        <Text className='ticket-terms'>{couponTerms(coupon)}</Text>
        {sub && <Text className='ticket-sub'>{sub}</Text>}
      </View>
      {children && <View className='ticket-action'>{children}</View>}
    </View>
  );
}
