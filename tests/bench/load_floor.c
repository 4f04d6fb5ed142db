/* load_floor: the least work opening a conversation can do: jansson loads the file and
 * frees it. `make bench` compares `cherry history show` with it. Usage: load_floor FILE */
#include <stdio.h>

#include <jansson.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: load_floor FILE\n");
		return 2;
	}
	json_error_t je;
	json_t *root = json_load_file(argv[1], JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		fprintf(stderr, "load_floor: %s\n", je.text);
		return 1;
	}
	json_decref(root);
	return 0;
}
