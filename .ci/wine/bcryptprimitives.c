/* Wine 8 (Debian 12's) has no bcryptprimitives.dll, whose ProcessPrng Rust's standard
 * library uses for randomness since 1.78, so no Rust program starts under it. This stands
 * in for it in the test prefix only, with the system RNG Wine does have (RtlGenRandom). */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
