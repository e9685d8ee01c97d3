import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { MenuItem } from '../../components/MenuItem';
import { StatusView } from '../../components/StatusView';
import { chooseLanguage, language, t, usePageTitle, type Language } from '../../i18n';
import { SIGN_IN_PAGE } from '../../services/api';
import { hasRole } from '../../services/loopline';
import { clearSession } from '../../services/session';
import { useMe } from '../../services/useMe';

const ME_PAGE = '/pages/me/index';
const LANGUAGE_CHOICES: Language[] = ['zh', 'en'];

/** 我的 tab: the person's own pages, the language, and the way into the staff and admin tools they hold. */
export default function MePage() {
  usePageTitle('me.title', { tab: true });
  const { me, loading, error, reload } = useMe();
  const isStaff = hasRole(me, 'clerk', 'manager', 'admin');
  const isAdmin = hasRole(me, 'admin');

  const signOut = () => {
    clearSession();
    void Taro.reLaunch({ url: SIGN_IN_PAGE });
  };

  return (
    <View className='page me-page'>
      <StatusView loading={loading && !me} error={error} onRetry={reload} rows={2} />
      {me && (
        <>
          <View className='me-head'>
            <View className='me-avatar' />
            <View>
              {me.customer.name ? (
                <Text className='me-name dyn'>{me.customer.name}</Text>
              ) : (
                <Text className='me-name'>{t('me.guest')}</Text>
              )}
              {me.member && <Text className='me-tier'>{t(`tier.${me.member.tier.id}`)}</Text>}
            </View>
          </View>

          <View className='section menu'>
            <MenuItem className='menu-my-coupons' label={t('me.myCoupons')} url='/pages/coupons/mine/index' />
            <MenuItem className='menu-profile' label={t('me.profile')} url='/pages/profile/edit/index' />
            <MenuItem className='menu-privacy' label={t('me.privacy')} url='/pages/profile/privacy/index' />
          </View>

          <View className='section language-switch'>
            <Text className='section-title'>{t('me.language')}</Text>
            <View className='segmented'>
              {LANGUAGE_CHOICES.map((choice) => (
                <Text
                  key={choice}
                  className={`segment dyn language-${choice} ${language() === choice ? 'segment-on' : ''}`}
                  onClick={() => {
                    if (choice === language()) return;
                    chooseLanguage(choice, ME_PAGE);
                  }}
                >
                  {t(`me.languageName.${choice}`)}
                </Text>
              ))}
            </View>
          </View>

          {(isStaff || isAdmin) && (
            <View className='section menu work-entries'>
              {isStaff && (
                <MenuItem
                  className='menu-staff-home'
                  label={t('me.staffEntry')}
                  hint={t('me.staffEntryHint')}
                  url='/pages/staff/home/index'
                />
              )}
              {isAdmin && (
                <MenuItem
                  className='menu-admin-home'
                  label={t('me.adminEntry')}
                  hint={t('me.adminEntryHint')}
                  url='/pages/admin/home/index'
                />
              )}
            </View>
          )}

          <Button className='btn btn-secondary sign-out' onClick={signOut}>
            {t('me.signOut')}
          </Button>
        </>
      )}
    </View>
  );
}
