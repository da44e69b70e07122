/* qr.h: QR codes as inline SVG, through libqrencode. */
#ifndef GZ_QR_H
#define GZ_QR_H
#include "buf.h"

/* Appends an <svg> of text's QR code (error correction M, 4-module quiet
 * zone) with role="img" and the given accessible label (escaped here).
 * Returns 0, or -1 when the text cannot be encoded (nothing appended). */
int qr_svg(struct buf *out, const char *text, const char *label);

#endif
