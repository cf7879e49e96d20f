/* test_config_screen.c: the [synctop] options of the screen's look: theme. */
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "config_file.h"
#include "config_text.h"

/* theme (issue 17 item 10): default unless set; contrast; nothing else. */
static void test_theme(void **state)
{
	(void)state;
	struct config *cfg = load_ok("[synctop]\ninterval = 2s\n");
	assert_string_equal(cfg->theme, "default");
	config_free(cfg);
	cfg = load_ok("[synctop]\ntheme = contrast\n");
	assert_string_equal(cfg->theme, "contrast");
	config_free(cfg);
	expect_error("[synctop]\ntheme = bright\n",
	             "2: theme: unknown theme 'bright' (use default or contrast)");
	expect_error("[synctop]\ntheme =\n", "2: theme: unknown theme '' (use default or contrast)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_theme),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
