/* qr.c: a QR code as SVG. libqrencode makes the matrix; this file only
 * draws it: one path of unit squares, merged along each row, so a ticket's
 * code is a few hundred bytes and scales to any size. */
#include "qr.h"
#include <qrencode.h>
#include <string.h>

int
qr_svg(struct buf *out, const char *text, const char *label)
{
	QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (!q)
		return -1;
	int w = q->width, quiet = 4, size = w + 2 * quiet;
	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", size, size);
	buf_esc_attr(out, label, strlen(label));
	buf_printf(out, "\" shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"", size, size);
	for (int y = 0; y < w; y++) {
		for (int x = 0; x < w;) {
			if (!(q->data[y * w + x] & 1)) {
				x++;
				continue;
			}
			int run = 1;
			while (x + run < w && (q->data[y * w + x + run] & 1))
				run++;
			buf_printf(out, "M%d %dh%dv1h-%dz", x + quiet, y + quiet, run, run);
			x += run;
		}
	}
	buf_puts(out, "\"/></svg>");
	QRcode_free(q);
	return 0;
}
