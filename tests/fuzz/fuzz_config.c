/* fuzz_config.c: fuzz target for the whole config loader (src/config.c, config_value.c,
   options.c): the input is written to a private file and loaded as `synctop -c` would. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "config_file.h"
#include "kinds/kind.h"
#include "fuzz.h"

static char conf_dir[64], conf_file[300];

static void remove_conf(void)
{
	unlink(conf_file);
	rmdir(conf_dir);
}

/* A private file, on tmpfs when there is one (writing it each run costs less there). */
static const char *conf_path(void)
{
	if (conf_file[0])
		return conf_file;
	snprintf(conf_dir, sizeof conf_dir, "/dev/shm/synctop-fuzz-config-XXXXXX");
	if (!mkdtemp(conf_dir)) {
		snprintf(conf_dir, sizeof conf_dir, "/tmp/synctop-fuzz-config-XXXXXX");
		FUZZ_CHECK(mkdtemp(conf_dir) != NULL, "mkdtemp");
	}
	snprintf(conf_file, sizeof conf_file, "%s/synctop.conf", conf_dir);
	atexit(remove_conf);
	return conf_file;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = conf_path();
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FUZZ_CHECK(fd >= 0, "cannot write %s", path);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size, "short write");
	close(fd);

	char err[512] = "";
	struct config *cfg = config_load(path, err, sizeof err, NULL);
	if (!cfg) {
		/* Every error names the file (and the line): "PATH:LINE: message". */
		FUZZ_CHECK(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':',
		           "an error that does not name the file: %s", err);
		return 0;
	}
	char buf[512];
	for (size_t i = 0; i < cfg->n_pipelines; i++)
		for (size_t k = 0; k < cfg->pipelines[i].n_stages; k++) {
			const struct stage_cfg *st = &cfg->pipelines[i].stages[k];
			stage_target(st, buf, sizeof buf);
			FUZZ_CHECK(conn_timeout(cfg, st->conn) > 0, "a deadline of %g s",
			           conn_timeout(cfg, st->conn));
		}
	config_free(cfg);
	return 0;
}
