/**
 * A QR code drawn as SVG elements by React (library `qrcode`, its encoder only): no canvas, no
 * markup injected as HTML, no script, so the console's Content-Security-Policy holds. One path of
 * unit squares on a white quiet zone of four modules, scaled by CSS.
 */
import QRCode from 'qrcode';
import { useMemo } from 'react';

const QUIET = 4;

export function QrCode({ text, label, size = 192 }: { text: string; label: string; size?: number }) {
  const { path, n } = useMemo(() => {
    const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
    const d: string[] = [];
    for (let y = 0; y < modules.size; y++) {
      for (let x = 0; x < modules.size; x++) if (modules.get(x, y)) d.push(`M${x + QUIET} ${y + QUIET}h1v1h-1z`);
    }
    return { path: d.join(''), n: modules.size + 2 * QUIET };
  }, [text]);
  return (
    <svg className="qr" role="img" aria-label={label} width={size} height={size} viewBox={`0 0 ${n} ${n}`} shapeRendering="crispEdges">
      <rect width={n} height={n} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
