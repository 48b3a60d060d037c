// Keys that toggle checklist criteria, in list order (home row: easy to reach, no clash with 1/2/Z/C/?).
export const CRITERION_KEYS = ['a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l'];
