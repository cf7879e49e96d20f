/* mongo_shm.c: libmongoc 1.23, as Debian builds it, starts itself before main and makes a
   shared-memory file of counters, /dev/shm/mongoc-PID, that only its own cleanup at exit
   removes. A process killed leaves its file behind; the next process given that PID finds it,
   and the driver prints "WARNING: mongoc: Falling back to malloc for counters." on stderr, under
   the screen or into --once's output (seen in a CI run, in cli.sh: 87 such files after a day of
   tests here). Nothing here reads those counters (they are for mongoc-stat). So the stale file
   goes before the driver starts (a program's preinit functions run before any library's
   constructor), and ours as soon as the driver has made it (a program's constructors run after
   its libraries'): its mapping lives on, and a process killed leaves nothing. Every program
   linked with libmongoc links this object (-u mongo_shm_hooks, Makefile.am). */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static void unlink_counters(void)
{
	char name[32];
	snprintf(name, sizeof name, "/mongoc-%d", (int)getpid());
	shm_unlink(name);
}

static void before_libraries(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)argv;
	(void)envp;
	unlink_counters();
}

__attribute__((constructor)) static void after_libraries(void)
{
	unlink_counters();
}

/* The preinit entry; its name is what the linker is told to pull (-u). */
__attribute__((section(".preinit_array"), used)) void (*const mongo_shm_hooks)(int, char **,
                                                                               char **) = before_libraries;
