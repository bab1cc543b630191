"""The monthly bulletin (月度通报, 新信用发〔2018〕6号 二(八); 沈政办发〔2018〕117号 二(二)): a draft generated from the
data, edited by staff, published and then frozen, with dated errata."""
