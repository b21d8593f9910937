/* gpu_weights.c: writes the gpu fixture's weights file (gpu_model.c): w f32[8] at byte 0, b f32[8] at byte
 * 64, 96 bytes in all, little-endian as the compiler writes NAME.weights.bin. w[i] = i + 1, b[i] = 0.5 * i. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  unsigned char bytes[96];
  memset(bytes, 0, sizeof bytes);
  for (int i = 0; i < 8; ++i) {
    float w = (float)(i + 1), b = 0.5f * (float)i;
    memcpy(bytes + 4 * i, &w, 4);
    memcpy(bytes + 64 + 4 * i, &b, 4);
  }
  FILE *file = fopen(argv[1], "wb");
  if (!file || fwrite(bytes, 1, sizeof bytes, file) != sizeof bytes || fclose(file) != 0)
    return 1;
  return 0;
}
