// nifti2_io.h includes <znzlib.h>; Debian installs it under nifti/.
#include <nifti/znzlib.h>
