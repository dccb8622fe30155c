// Seeded PRNG (mulberry32) and small generators shared by the differential tests, so a
// failing case can be replayed from its seed.
export function makeRng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (arr) => arr[int(arr.length)];
  const HEX = '0123456789abcdef';
  const hex = (n) => Array.from({ length: n }, () => HEX[int(16)]).join('');
  const nonZeroHex = (n) => {
    for (;;) {
      // Sometimes mostly zeros: the all-zero check must look at every digit.
      const h = next() < 0.1 ? '0'.repeat(n - 1) + HEX[1 + int(15)] : hex(n);
      if (!/^0+$/.test(h)) return h;
    }
  };
  const printable = (n, exclude = '') => {
    let out = '';
    while (out.length < n) {
      const c = String.fromCharCode(0x20 + int(0x5f));
      if (!exclude.includes(c)) out += c;
    }
    return out;
  };
  const shuffle = (arr) => {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [arr[i], arr[j]] = [arr[j], arr[i]];
    }
    return arr;
  };
  return { next, int, pick, hex, nonZeroHex, printable, shuffle };
}
