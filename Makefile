# SPDX-License-Identifier: GPL-2.0
#
# make               build carp.ko for KVER and tools/iproute2/link_carp.so
# make KVER=<ver>    against another installed kernel's headers
# make install       install both (and run depmod)
# make check         everything CI runs; ends with "N passed, N failed, N skipped"
# make series        the kernel patch series (build/series), checkpatch'd
# make kunit         the KUnit suite on UML (Debian's linux-source-6.12)
# make demo          the FreeBSD Handbook scenario, narrated, in a VM
# make deb           Debian packages: carp-dkms, carp-tools (build/deb)
# make setup         install the Debian packages all of this needs

TOP := $(CURDIR)
# The running kernel if its headers are here, else the newest installed.
KVER ?= $(shell if [ -d /lib/modules/$$(uname -r)/build ]; then uname -r; \
	  else ls -1 /lib/modules 2>/dev/null | while read v; do \
	  [ -d /lib/modules/$$v/build ] && echo $$v; done | sort -V | tail -n1; fi)
KDIR ?= /lib/modules/$(KVER)/build
BUILD := $(TOP)/build/$(KVER)
IPLIBDIR ?= /usr/lib/x86_64-linux-gnu/ip

all: module plugin

# Build in a copy so that objects for several kernels do not mix.
module:
	@test -n "$(KVER)" -a -d "$(KDIR)" || { echo "no kernel headers for '$(KVER)'; run: make setup" >&2; exit 1; }
	@mkdir -p $(BUILD)
	@rm -rf $(BUILD)/drivers $(BUILD)/include $(BUILD)/compat $(BUILD)/.compat
	@cp -a $(TOP)/Kbuild $(TOP)/drivers $(TOP)/include $(TOP)/compat $(BUILD)/
	@# Not the objects of an in-place build (for whichever kernel).
	@find $(BUILD)/drivers -type f ! \( -name '*.[ch]' -o -name Makefile \
		-o -name Kconfig -o -name .kunitconfig \) -delete
	$(MAKE) -C $(KDIR) M=$(BUILD) $(KBUILD_EXTRA) modules
	@cp $$(find $(BUILD)/drivers $(BUILD)/.compat -name carp.ko 2>/dev/null | head -n1) $(BUILD)/carp.ko

plugin:
	$(MAKE) -C tools/iproute2

install: all
	$(MAKE) -C $(KDIR) M=$(BUILD) modules_install
	depmod -a $(KVER)
	$(MAKE) -C tools/iproute2 install IPLIBDIR=$(IPLIBDIR)

setup:
	bash tools/setup.sh

check:
	bash tools/check.sh

kunit:
	bash tools/kunit.sh

series:
	bash tools/series.sh --checkpatch

demo:
	bash tools/demo.sh

deb:
	bash tools/deb.sh

clean:
	rm -rf build
	$(MAKE) -C tools/iproute2 clean

.PHONY: all module plugin install setup check kunit series demo deb clean
