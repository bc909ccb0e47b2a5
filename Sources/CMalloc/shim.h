// glibc's malloc_trim, which Swift's Glibc module leaves out; other C libraries have no such call.
#if __has_include(<malloc.h>)
#include <malloc.h>
#endif
