/** Importing this module registers the drivers that ship with cinderblock. */
import "./lvm/driver";
