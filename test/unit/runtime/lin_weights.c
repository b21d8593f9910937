/* lin_weights.c: writes lin.weights.bin for the lin fixture (lin_model.c), as `kiln compile --weights
 * external` would: w = {0.5, -2, 3} at offset 0 and b = {1, 0.25, -4} at offset 64, little-endian float32,
 * zero padding up to 128 bytes. Usage: kiln_write_lin_weights OUTPUT_FILE */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  const float w[3] = {0.5f, -2.0f, 3.0f}, b[3] = {1.0f, 0.25f, -4.0f};
  unsigned char file[128];
  FILE *out;
  if (argc != 2) {
    fprintf(stderr, "usage: %s OUTPUT_FILE\n", argv[0]);
    return 2;
  }
  memset(file, 0, sizeof file);
  memcpy(file + 0, w, sizeof w);
  memcpy(file + 64, b, sizeof b);
  out = fopen(argv[1], "wb");
  if (!out || fwrite(file, 1, sizeof file, out) != sizeof file || fclose(out) != 0) {
    perror(argv[1]);
    return 1;
  }
  return 0;
}
